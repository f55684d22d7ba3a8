import { sql } from 'kysely'
import type { InventorySnapshot, PlacementSnapshot, ProviderSnapshot } from '../candidates/model.js'
import type { PlacementDb } from './placement-db.js'

const SHARING_TRAIT = 'MISC_SHARES_VIA_AGGREGATE'

/**
 * Loads the provider trees an allocation-candidates request could use, whole (every provider of each tree,
 * with inventories, usage, traits and aggregates), in five queries whatever the number of providers.
 * `needs`: class → the smallest amount any group asks of it; trees where no provider has that much free of
 * every needed class are not loaded (unless sharing providers exist, which can lend to any tree).
 */
export async function loadSnapshot(
  p: PlacementDb,
  needs: ReadonlyMap<string, number>,
  inTreeRootId?: number,
): Promise<PlacementSnapshot> {
  const k = p.k
  let roots: number[] | undefined
  const sharing = await k
    .selectFrom('resource_provider_traits as rpt')
    .innerJoin('traits as t', 't.id', 'rpt.trait_id')
    .select('rpt.resource_provider_id')
    .where('t.name', '=', SHARING_TRAIT)
    .executeTakeFirst()
  if (sharing === undefined && needs.size > 0) {
    for (const [rc, amount] of needs) {
      let q = k
        .selectFrom('inventories as inv')
        .innerJoin('resource_providers as rp', 'rp.id', 'inv.resource_provider_id')
        .select('rp.root_provider_id as root')
        .distinct()
        .where('inv.resource_class', '=', rc)
        .where('inv.max_unit', '>=', amount)
        .where(
          sql<boolean>`(inv.total - inv.reserved) * inv.allocation_ratio - coalesce((select sum(a.used) from allocations a where a.resource_provider_id = inv.resource_provider_id and a.resource_class = inv.resource_class), 0) >= ${amount}`,
        )
      if (roots !== undefined) q = q.where('rp.root_provider_id', 'in', roots.length === 0 ? [-1] : roots)
      if (inTreeRootId !== undefined) q = q.where('rp.root_provider_id', '=', inTreeRootId)
      roots = ((await q.execute()) as { root: unknown }[]).map((r) => Number(r.root))
      if (roots.length === 0) return { providers: new Map() }
    }
  } else if (inTreeRootId !== undefined && sharing === undefined) roots = [inTreeRootId]

  let rpQuery = k
    .selectFrom('resource_providers')
    .select(['id', 'uuid', 'name', 'generation', 'parent_provider_id', 'root_provider_id'])
  if (roots !== undefined) rpQuery = rpQuery.where('root_provider_id', 'in', roots)
  const rpRows = (await rpQuery.execute()) as Record<string, unknown>[]
  const inRoots = (alias: string) =>
    roots === undefined
      ? sql<boolean>`1 = 1`
      : sql<boolean>`${sql.ref(alias)} in (select id from resource_providers where root_provider_id in (${sql.join(roots)}))`
  const invRows = (await k
    .selectFrom('inventories')
    .selectAll()
    .where(inRoots('resource_provider_id'))
    .execute()) as Record<string, unknown>[]
  const useRows = (await k
    .selectFrom('allocations')
    .select(['resource_provider_id', 'resource_class'])
    .select((eb) => eb.fn.sum('used').as('used'))
    .where(inRoots('resource_provider_id'))
    .groupBy(['resource_provider_id', 'resource_class'])
    .execute()) as Record<string, unknown>[]
  const traitRows = (await k
    .selectFrom('resource_provider_traits as rpt')
    .innerJoin('traits as t', 't.id', 'rpt.trait_id')
    .select(['rpt.resource_provider_id as rp', 't.name as name'])
    .where(inRoots('rpt.resource_provider_id'))
    .execute()) as Record<string, unknown>[]
  const aggRows = (await k
    .selectFrom('resource_provider_aggregates')
    .select(['resource_provider_id as rp', 'aggregate_uuid as agg'])
    .where(inRoots('resource_provider_id'))
    .execute()) as Record<string, unknown>[]

  const uuidOf = new Map(rpRows.map((r) => [Number(r.id), String(r.uuid)]))
  const used = new Map(
    useRows.map((r) => [`${Number(r.resource_provider_id)}/${String(r.resource_class)}`, Number(r.used)]),
  )
  const inventories = new Map<number, Map<string, InventorySnapshot>>()
  for (const r of invRows) {
    const id = Number(r.resource_provider_id)
    const rc = String(r.resource_class)
    const map = inventories.get(id) ?? new Map<string, InventorySnapshot>()
    map.set(rc, {
      total: Number(r.total),
      reserved: Number(r.reserved),
      minUnit: Number(r.min_unit),
      maxUnit: Number(r.max_unit),
      stepSize: Number(r.step_size),
      allocationRatio: Number(r.allocation_ratio),
      used: used.get(`${id}/${rc}`) ?? 0,
    })
    inventories.set(id, map)
  }
  const group = (rows: Record<string, unknown>[], value: string) => {
    const out = new Map<number, Set<string>>()
    for (const r of rows) {
      const id = Number(r.rp)
      const set = out.get(id) ?? new Set<string>()
      set.add(String(r[value]))
      out.set(id, set)
    }
    return out
  }
  const traits = group(traitRows, 'name')
  const aggregates = group(aggRows, 'agg')
  const empty = new Set<string>()
  const providers = new Map<string, ProviderSnapshot>()
  for (const r of rpRows) {
    const id = Number(r.id)
    const uuid = String(r.uuid)
    providers.set(uuid, {
      uuid,
      name: String(r.name),
      generation: Number(r.generation),
      parentUuid: r.parent_provider_id === null ? null : (uuidOf.get(Number(r.parent_provider_id)) ?? null),
      rootUuid: uuidOf.get(Number(r.root_provider_id)) ?? uuid,
      inventories: inventories.get(id) ?? new Map(),
      traits: traits.get(id) ?? empty,
      aggregates: aggregates.get(id) ?? empty,
    })
  }
  return { providers }
}
