import type { FastifyInstance } from 'fastify'
import { badRequest } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import { bodyObject, intField, invalid, normaliseUuid, onlyKeys, requireVersion } from '../request-helpers.js'
import type { Inventory } from '../store/inventories.js'
import { parseConsumerWrite, requireKnownClasses } from './allocations.js'
import { parseInventory } from './inventories.js'

/**
 * `POST /reshaper` (1.30): new inventories for some providers and new allocations for some consumers, in one
 * transaction. Inventories are first widened (old ∪ new classes), allocations moved, then inventories narrowed
 * to exactly what was asked, so classes can move between providers while allocated.
 */
export function registerReshaperRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  app.post('/reshaper', async (request, reply) => {
    requireVersion(request, 30)
    const body = bodyObject(request)
    onlyKeys(body, ['inventories', 'allocations'])
    const invBody = body.inventories
    const allocBody = body.allocations
    if (invBody === null || typeof invBody !== 'object' || Array.isArray(invBody))
      invalid(`'inventories' is a required property`)
    if (allocBody === null || typeof allocBody !== 'object' || Array.isArray(allocBody))
      invalid(`'allocations' is a required property`)

    const inventories: { uuid: string; generation: number; inventories: Map<string, Inventory> }[] = []
    for (const [key, value] of Object.entries(invBody as Record<string, unknown>)) {
      const uuid = normaliseUuid(key)
      if (uuid === undefined) invalid(`'${key}' is not a uuid`)
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        invalid(`inventories of ${key} must be an object`)
      const entry = value as Record<string, unknown>
      onlyKeys(entry, ['inventories', 'resource_provider_generation'], `inventories.${key}`)
      const generation = intField(entry, 'resource_provider_generation', { required: true, min: 0 })!
      const raw = entry.inventories
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        invalid(`'inventories' of ${key} is required`)
      const map = new Map<string, Inventory>()
      for (const [rc, inv] of Object.entries(raw as Record<string, unknown>)) {
        if (inv === null || typeof inv !== 'object' || Array.isArray(inv))
          invalid(`inventory ${rc} must be an object`)
        map.set(rc, parseInventory(request, rc, inv as Record<string, unknown>))
      }
      inventories.push({ uuid, generation, inventories: map })
    }
    const writes = Object.entries(allocBody as Record<string, unknown>).map(([key, value]) => {
      const consumer = normaliseUuid(key)
      if (consumer === undefined) invalid(`'${key}' is not a uuid`)
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        invalid(`consumer ${key} must be an object`)
      return parseConsumerWrite(request, deps, consumer, value as Record<string, unknown>, true)
    })
    const unknown = await deps.classes.unknown(inventories.flatMap((i) => [...i.inventories.keys()]))
    if (unknown.length > 0) throw badRequest(`Unknown resource class in inventory: ${unknown.join(', ')}`)
    await requireKnownClasses(deps, writes)

    await deps.db.write(async (trx) => {
      const providers = []
      for (const entry of inventories) {
        const rp = await deps.providers.find(entry.uuid, trx)
        if (rp === undefined) throw badRequest(`Resource provider '${entry.uuid}' not found`)
        const current = await deps.inventories.list(rp.id, trx)
        await deps.inventories.replaceIn(
          trx,
          rp,
          entry.generation,
          new Map([...current, ...entry.inventories]),
        )
        providers.push({ rp, wanted: entry.inventories })
      }
      await deps.allocations.replaceIn(trx, writes)
      for (const { rp, wanted } of providers) await deps.inventories.replaceIn(trx, rp, undefined, wanted)
    })
    return reply.status(204).send()
  })
}
