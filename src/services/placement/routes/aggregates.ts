import type { FastifyInstance } from 'fastify'
import type { PlacementDeps } from '../placement-deps.js'
import { atLeast, intField, invalid, normaliseUuid, onlyKeys, requireVersion } from '../request-helpers.js'

/** `/resource_providers/{uuid}/aggregates` (1.1; generation in body and answer from 1.19). */
export function registerAggregateRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  type P = { Params: { uuid: string } }
  const path = '/resource_providers/:uuid/aggregates'
  const view = async (request: Parameters<typeof atLeast>[0], uuid: string) => {
    const rp = await deps.providers.get(uuid)
    const aggregates = await deps.aggregates.ofProvider(rp.id)
    return atLeast(request, 19) ? { aggregates, resource_provider_generation: rp.generation } : { aggregates }
  }
  app.get<P>(path, async (request) => {
    requireVersion(request, 1)
    return view(request, request.params.uuid)
  })
  app.put<P>(path, async (request) => {
    requireVersion(request, 1)
    let list: unknown = request.body
    let generation: number | undefined
    if (atLeast(request, 19)) {
      const body = request.body
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        invalid(`the body must be an object`)
      onlyKeys(body as Record<string, unknown>, ['aggregates', 'resource_provider_generation'])
      generation = intField(body as Record<string, unknown>, 'resource_provider_generation', {
        required: true,
        min: 0,
      })
      list = (body as Record<string, unknown>).aggregates
    }
    if (!Array.isArray(list)) invalid(`'aggregates' must be an array of uuids`)
    const uuids = list.map((u) => normaliseUuid(u))
    if (uuids.some((u) => u === undefined)) invalid(`'aggregates' must contain uuids only`)
    if (new Set(uuids).size !== uuids.length) invalid(`'aggregates' has non-unique elements`)
    const rp = await deps.providers.get(request.params.uuid)
    await deps.aggregates.setForProvider(rp, generation, uuids as string[])
    return view(request, rp.uuid)
  })
}
