import type { FastifyInstance } from 'fastify'
import { badRequest } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import { atLeast, queryOf, requireVersion, single } from '../request-helpers.js'

/** `/resource_providers/{uuid}/usages` and `/usages?project_id=…` (1.9). */
export function registerUsageRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  app.get<{ Params: { uuid: string } }>('/resource_providers/:uuid/usages', async (request) => {
    const rp = await deps.providers.get(request.params.uuid)
    return {
      usages: await deps.allocations.usagesOfProvider(rp.id),
      resource_provider_generation: rp.generation,
    }
  })

  app.get('/usages', async (request) => {
    requireVersion(request, 9)
    const query = queryOf(request)
    const allowed = ['project_id', 'user_id', ...(atLeast(request, 38) ? ['consumer_type'] : [])]
    const extra = Object.keys(query).filter((k) => !allowed.includes(k))
    if (extra.length > 0)
      throw badRequest(
        `Invalid query string parameters: Additional properties are not allowed (${extra.join(', ')})`,
      )
    const projectId = single(query, 'project_id')
    if (projectId === undefined || projectId === '')
      throw badRequest(`Invalid query string parameters: 'project_id' is a required property`)
    const userId = single(query, 'user_id')
    const consumerType = single(query, 'consumer_type')
    const groups = await deps.allocations.usagesOfProject({
      projectId,
      ...(userId === undefined ? {} : { userId }),
      ...(consumerType === undefined ? {} : { consumerType }),
    })
    if (!atLeast(request, 38)) {
      const usages: Record<string, number> = {}
      for (const g of groups.values())
        for (const [rc, n] of Object.entries(g.usages)) usages[rc] = (usages[rc] ?? 0) + n
      return { usages }
    }
    return {
      usages: Object.fromEntries(
        [...groups].map(([type, g]) => [type, { consumer_count: g.consumerCount, ...g.usages }]),
      ),
    }
  })
}
