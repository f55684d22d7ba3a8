import type { FastifyInstance } from 'fastify'
import { computeCandidates } from '../candidates/compute-candidates.js'
import type { ProviderSnapshot } from '../candidates/model.js'
import { capacityOf } from '../candidates/model.js'
import { parseCandidateQuery, type QueryParams } from '../candidates/parse-query.js'
import { PlacementQueryError } from '../candidates/query-error.js'
import { namesInRequest } from '../candidates/request-names.js'
import { badRequest } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import { atLeast, mv, queryOf, requireVersion } from '../request-helpers.js'

/** `GET /allocation_candidates` (1.10): the cached snapshot of every provider, then the pure search. */
export function registerCandidateRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  app.get('/allocation_candidates', async (request) => {
    requireVersion(request, 10)
    let parsed
    try {
      parsed = parseCandidateQuery(queryOf(request) as QueryParams, mv(request), {
        randomize: deps.settings.randomizeCandidates,
      })
    } catch (error) {
      if (error instanceof PlacementQueryError) throw badRequest(error.message, error.code)
      throw error
    }
    const names = namesInRequest(parsed)
    const unknownClasses = await deps.classes.unknown(names.resourceClasses)
    if (unknownClasses.length > 0)
      throw badRequest(`Invalid resource class in resources parameter: ${unknownClasses.join(', ')}`)
    const traitIds = await deps.traits.idsOf(names.traits)
    const unknownTraits = names.traits.filter((t) => !traitIds.has(t))
    if (unknownTraits.length > 0) throw badRequest(`No such trait(s): ${unknownTraits.join(', ')}`)

    const requested = new Set(parsed.groups.flatMap((g) => [...g.resources.keys()]))
    const snapshot = await deps.snapshots.current()
    const result = computeCandidates(snapshot, parsed)

    const summary = (rp: ProviderSnapshot) => {
      const resources: Record<string, { capacity: number; used: number }> = {}
      for (const [rc, inv] of rp.inventories) {
        if (!atLeast(request, 27) && !requested.has(rc)) continue
        resources[rc] = { capacity: capacityOf(inv), used: inv.used }
      }
      return {
        resources,
        ...(atLeast(request, 17) ? { traits: [...rp.traits].sort() } : {}),
        ...(atLeast(request, 29)
          ? { parent_provider_uuid: rp.parentUuid, root_provider_uuid: rp.rootUuid }
          : {}),
      }
    }
    const summaries: Record<string, unknown> = {}
    for (const uuid of result.summaryProviders) {
      const rp = snapshot.providers.get(uuid)
      if (rp === undefined) continue
      // Before 1.29 only providers that give resources are summarised.
      if (!atLeast(request, 29) && !result.allocationRequests.some((r) => r.allocations.has(uuid))) continue
      summaries[uuid] = summary(rp)
    }
    const requests = result.allocationRequests.map((r) => {
      if (!atLeast(request, 12))
        return {
          allocations: [...r.allocations].map(([uuid, resources]) => ({
            resource_provider: { uuid },
            resources: Object.fromEntries(resources),
          })),
        }
      return {
        allocations: Object.fromEntries(
          [...r.allocations].map(([uuid, resources]) => [uuid, { resources: Object.fromEntries(resources) }]),
        ),
        ...(atLeast(request, 34) ? { mappings: Object.fromEntries(r.mappings) } : {}),
      }
    })
    return { allocation_requests: requests, provider_summaries: summaries }
  })
}
