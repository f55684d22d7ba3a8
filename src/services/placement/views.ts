import type { FastifyRequest } from 'fastify'
import { atLeast } from './request-helpers.js'
import type { Inventory } from './store/inventories.js'
import type { ProviderRecord } from './store/providers.js'

/** A resource provider as placement shows it at the request's microversion. */
export function providerView(request: FastifyRequest, rp: ProviderRecord) {
  const base = `/resource_providers/${rp.uuid}`
  const links = [
    { rel: 'self', href: base },
    { rel: 'inventories', href: `${base}/inventories` },
    { rel: 'usages', href: `${base}/usages` },
    ...(atLeast(request, 1) ? [{ rel: 'aggregates', href: `${base}/aggregates` }] : []),
    ...(atLeast(request, 6) ? [{ rel: 'traits', href: `${base}/traits` }] : []),
    ...(atLeast(request, 11) ? [{ rel: 'allocations', href: `${base}/allocations` }] : []),
  ]
  return {
    uuid: rp.uuid,
    name: rp.name,
    generation: rp.generation,
    ...(atLeast(request, 14) ? { parent_provider_uuid: rp.parentUuid, root_provider_uuid: rp.rootUuid } : {}),
    links,
  }
}

export function inventoryView(inv: Inventory) {
  return {
    allocation_ratio: inv.allocation_ratio,
    max_unit: inv.max_unit,
    min_unit: inv.min_unit,
    reserved: inv.reserved,
    step_size: inv.step_size,
    total: inv.total,
  }
}

export function inventoriesView(generation: number, inventories: ReadonlyMap<string, Inventory>) {
  return {
    inventories: Object.fromEntries([...inventories].map(([rc, inv]) => [rc, inventoryView(inv)])),
    resource_provider_generation: generation,
  }
}
