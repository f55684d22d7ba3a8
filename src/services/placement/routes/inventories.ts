import type { FastifyInstance, FastifyRequest } from 'fastify'
import { badRequest, notFound } from '../errors.js'
import type { PlacementDeps } from '../placement-deps.js'
import { atLeast, bodyObject, intField, invalid, onlyKeys } from '../request-helpers.js'
import { INVENTORY_DEFAULTS, type Inventory } from '../store/inventories.js'
import { inventoriesView, inventoryView } from '../views.js'

const MAX = 2147483647
const FIELDS = ['total', 'reserved', 'min_unit', 'max_unit', 'step_size', 'allocation_ratio']

/** One inventory record from a request body, with placement's defaults and checks. */
export function parseInventory(
  request: FastifyRequest,
  rc: string,
  body: Record<string, unknown>,
): Inventory {
  const total = intField(body, 'total', { required: true, min: 1, max: MAX })!
  const inv: Inventory = {
    total,
    reserved: intField(body, 'reserved', { min: 0, max: MAX }) ?? INVENTORY_DEFAULTS.reserved,
    min_unit: intField(body, 'min_unit', { min: 1, max: MAX }) ?? INVENTORY_DEFAULTS.min_unit,
    max_unit: intField(body, 'max_unit', { min: 1, max: MAX }) ?? INVENTORY_DEFAULTS.max_unit,
    step_size: intField(body, 'step_size', { min: 1, max: MAX }) ?? INVENTORY_DEFAULTS.step_size,
    allocation_ratio: ratioField(body),
  }
  const reservedLimit = atLeast(request, 26) ? inv.total : inv.total - 1
  if (inv.reserved > reservedLimit)
    throw badRequest(
      `Unable to update inventory for resource provider: Invalid inventory for '${rc}': reserved (${inv.reserved}) must be ${atLeast(request, 26) ? 'less than or equal to' : 'less than'} total (${inv.total}).`,
    )
  if (inv.min_unit > inv.max_unit)
    throw badRequest(
      `Invalid inventory for '${rc}': min_unit (${inv.min_unit}) is greater than max_unit (${inv.max_unit}).`,
    )
  return inv
}

function ratioField(body: Record<string, unknown>): number {
  const value = body.allocation_ratio
  if (value === undefined) return INVENTORY_DEFAULTS.allocation_ratio
  if (typeof value !== 'number' || !Number.isFinite(value))
    invalid(`${JSON.stringify(value)} is not of type 'number' ('allocation_ratio')`)
  if (value <= 0 || value > 3.40282e38) invalid(`${value} is not a valid allocation_ratio`)
  return value
}

function generationField(body: Record<string, unknown>): number {
  return intField(body, 'resource_provider_generation', { required: true, min: 0 })!
}

/** `/resource_providers/{uuid}/inventories[/{rc}]`. */
export function registerInventoryRoutes(app: FastifyInstance, deps: PlacementDeps): void {
  const base = '/resource_providers/:uuid/inventories'
  type P = { Params: { uuid: string; rc: string } }

  const requireClasses = async (classes: Iterable<string>) => {
    const unknown = await deps.classes.unknown(classes)
    if (unknown.length > 0)
      throw badRequest(`Unknown resource class in inventory for resource provider: ${unknown.join(', ')}`)
  }

  app.get<P>(base, async (request) => {
    const rp = await deps.providers.get(request.params.uuid)
    return inventoriesView(rp.generation, await deps.inventories.list(rp.id))
  })

  app.put<P>(base, async (request) => {
    const body = bodyObject(request)
    onlyKeys(body, ['resource_provider_generation', 'inventories'])
    const generation = generationField(body)
    const raw = body.inventories
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      invalid(`'inventories' is a required property`)
    const wanted = new Map<string, Inventory>()
    for (const [rc, value] of Object.entries(raw as Record<string, unknown>)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value))
        invalid(`inventory for ${rc} must be an object`)
      onlyKeys(value as Record<string, unknown>, FIELDS, `inventories.${rc}`)
      wanted.set(rc, parseInventory(request, rc, value as Record<string, unknown>))
    }
    await requireClasses(wanted.keys())
    const rp = await deps.providers.get(request.params.uuid)
    const next = await deps.inventories.replace(rp, generation, wanted)
    return inventoriesView(next, await deps.inventories.list(rp.id))
  })

  app.post<P>(base, async (request, reply) => {
    const body = bodyObject(request)
    onlyKeys(body, ['resource_class', ...FIELDS])
    const rc = body.resource_class
    if (typeof rc !== 'string' || rc === '') invalid(`'resource_class' is a required property`)
    const inv = parseInventory(request, rc, body)
    await requireClasses([rc])
    const rp = await deps.providers.get(request.params.uuid)
    const next = await deps.inventories.setOne(rp, undefined, rc, inv, true)
    reply.status(201).header('location', `/resource_providers/${rp.uuid}/inventories/${rc}`)
    return { ...inventoryView(inv), resource_provider_generation: next }
  })

  app.delete<P>(base, async (request, reply) => {
    if (!atLeast(request, 5)) throw notFound('The resource could not be found.')
    const rp = await deps.providers.get(request.params.uuid)
    await deps.inventories.remove(rp, undefined, undefined)
    return reply.status(204).send()
  })

  app.get<P>(`${base}/:rc`, async (request) => {
    const rp = await deps.providers.get(request.params.uuid)
    const inv = (await deps.inventories.list(rp.id)).get(request.params.rc)
    if (inv === undefined) throw notFound(`No inventory of class ${request.params.rc} for ${rp.uuid}`)
    return { ...inventoryView(inv), resource_provider_generation: rp.generation }
  })

  app.put<P>(`${base}/:rc`, async (request) => {
    const body = bodyObject(request)
    onlyKeys(body, ['resource_provider_generation', ...FIELDS])
    const generation = generationField(body)
    const rc = request.params.rc
    const inv = parseInventory(request, rc, body)
    await requireClasses([rc])
    const rp = await deps.providers.get(request.params.uuid)
    const next = await deps.inventories.setOne(rp, generation, rc, inv, false)
    return { ...inventoryView(inv), resource_provider_generation: next }
  })

  app.delete<P>(`${base}/:rc`, async (request, reply) => {
    const rp = await deps.providers.get(request.params.uuid)
    const removed = await deps.inventories.remove(rp, undefined, request.params.rc)
    if (!removed) throw notFound(`No inventory of class ${request.params.rc} found for delete`)
    return reply.status(204).send()
  })
}
