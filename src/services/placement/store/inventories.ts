import type { UntypedExecutor } from '../../../db/untyped.js'
import { conflict } from '../errors.js'
import { bumpGeneration, type PlacementDb } from './placement-db.js'

export interface Inventory {
  readonly total: number
  readonly reserved: number
  readonly min_unit: number
  readonly max_unit: number
  readonly step_size: number
  readonly allocation_ratio: number
}

export const INVENTORY_DEFAULTS = {
  reserved: 0,
  min_unit: 1,
  max_unit: 2147483647,
  step_size: 1,
  allocation_ratio: 1.0,
} as const

const toInventory = (r: Record<string, unknown>): Inventory => ({
  total: Number(r.total),
  reserved: Number(r.reserved),
  min_unit: Number(r.min_unit),
  max_unit: Number(r.max_unit),
  step_size: Number(r.step_size),
  allocation_ratio: Number(r.allocation_ratio),
})

export function createInventoryStore(p: PlacementDb) {
  async function list(providerId: number, executor: UntypedExecutor = p.k): Promise<Map<string, Inventory>> {
    const rows = (await executor
      .selectFrom('inventories')
      .selectAll()
      .where('resource_provider_id', '=', providerId)
      .orderBy('resource_class')
      .execute()) as Record<string, unknown>[]
    return new Map(rows.map((r) => [String(r.resource_class), toInventory(r)]))
  }

  /** Classes among `classes` that have allocations against the provider. */
  async function classesInUse(
    trx: UntypedExecutor,
    providerId: number,
    classes: readonly string[],
  ): Promise<string[]> {
    if (classes.length === 0) return []
    const rows = (await trx
      .selectFrom('allocations')
      .select('resource_class')
      .distinct()
      .where('resource_provider_id', '=', providerId)
      .where('resource_class', 'in', [...classes])
      .execute()) as { resource_class: unknown }[]
    return rows.map((r) => String(r.resource_class)).sort()
  }

  const inUse = (uuid: string, classes: readonly string[]) =>
    conflict(
      `update conflict: Inventory for ${classes.join(', ')} on resource provider ${uuid} in use.`,
      'placement.inventory.inuse',
    )

  /**
   * Makes the provider's inventory exactly `inventories` (absent classes removed), guarded by `generation`
   * (undefined: any). Removing a class that has allocations is 409 placement.inventory.inuse. Returns the new
   * generation. Shrinking below current usage is allowed (placement warns and keeps the allocations).
   */
  async function replaceIn(
    trx: UntypedExecutor,
    provider: { id: number; uuid: string },
    generation: number | undefined,
    inventories: ReadonlyMap<string, Inventory>,
  ): Promise<number> {
    const next = await bumpGeneration(trx, provider.id, generation)
    const current = await list(provider.id, trx)
    const removed = [...current.keys()].filter((rc) => !inventories.has(rc))
    const busy = await classesInUse(trx, provider.id, removed)
    if (busy.length > 0) throw inUse(provider.uuid, busy)
    if (removed.length > 0)
      await trx
        .deleteFrom('inventories')
        .where('resource_provider_id', '=', provider.id)
        .where('resource_class', 'in', removed)
        .execute()
    const now = p.now()
    for (const [rc, inv] of inventories) {
      if (current.has(rc)) {
        await trx
          .updateTable('inventories')
          .set({ ...inv, updated_at: now })
          .where('resource_provider_id', '=', provider.id)
          .where('resource_class', '=', rc)
          .execute()
      } else {
        await trx
          .insertInto('inventories')
          .values({
            resource_provider_id: provider.id,
            resource_class: rc,
            ...inv,
            created_at: now,
            updated_at: now,
          })
          .execute()
      }
    }
    return next
  }

  return {
    list,
    replaceIn,
    replace: (
      provider: { id: number; uuid: string },
      generation: number | undefined,
      inventories: ReadonlyMap<string, Inventory>,
    ) => p.write((trx) => replaceIn(trx, provider, generation, inventories)),

    /** Adds or changes one class (POST / PUT …/inventories/{rc}); `mustBeNew` refuses an existing one. */
    async setOne(
      provider: { id: number; uuid: string },
      generation: number | undefined,
      rc: string,
      inventory: Inventory,
      mustBeNew: boolean,
    ): Promise<number> {
      return p.write(async (trx) => {
        const current = await list(provider.id, trx)
        if (mustBeNew && current.has(rc))
          throw conflict(`Inventory for ${rc} on resource provider ${provider.uuid} already exists.`)
        const all = new Map(current)
        all.set(rc, inventory)
        return replaceIn(trx, provider, generation, all)
      })
    },

    /** Removes one class (false when the provider has none of it) or, with `rc` undefined, all of them. */
    async remove(
      provider: { id: number; uuid: string },
      generation: number | undefined,
      rc: string | undefined,
    ): Promise<boolean> {
      return p.write(async (trx) => {
        const current = await list(provider.id, trx)
        if (rc !== undefined && !current.has(rc)) return false
        const all = new Map(rc === undefined ? [] : [...current].filter(([c]) => c !== rc))
        await replaceIn(trx, provider, generation, all)
        return true
      })
    },
  }
}

export type InventoryStore = ReturnType<typeof createInventoryStore>
