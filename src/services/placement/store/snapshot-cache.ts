import type { InventorySnapshot, PlacementSnapshot, ProviderSnapshot } from '../candidates/model.js'
import type { PlacementDb } from './placement-db.js'

interface ProviderRow {
  readonly id: number
  readonly uuid: string
  readonly name: string
  readonly generation: number
  readonly parentId: number | null
  readonly rootId: number
}

const CHUNK = 500
/** How long a snapshot is trusted without asking the database whether another process wrote meanwhile. */
const FRESH_MS = 250
const EMPTY: ReadonlySet<string> = new Set()

/**
 * Every provider with its inventories, usage, traits and aggregates, kept in memory between requests. A read
 * costs at most one query (the `placement_version` row, asked at most every FRESH_MS unless this process wrote);
 * when a write has moved it on, only providers whose generation changed (every write to a provider moves its
 * generation) are read again. The snapshot handed
 * out must be used synchronously: the next refresh updates it in place.
 */
export class SnapshotCache {
  readonly #p: PlacementDb
  #version = -1
  #rows = new Map<number, ProviderRow>()
  readonly #providers = new Map<string, ProviderSnapshot>()
  #refresh: Promise<void> | undefined
  #localWrites = -1
  #checkedAt = 0

  constructor(p: PlacementDb) {
    this.#p = p
  }

  async current(): Promise<PlacementSnapshot> {
    // This process's own writes are seen at once; other processes' within FRESH_MS. (A stale snapshot only
    // offers a candidate whose claim then fails its capacity check: claims never trust it.)
    const localWrites = this.#p.localWrites()
    if (localWrites === this.#localWrites && Date.now() - this.#checkedAt < FRESH_MS)
      return { providers: this.#providers }
    this.#localWrites = localWrites
    this.#checkedAt = Date.now()
    const row = (await this.#p.k
      .selectFrom('placement_version')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirst()) as { version: unknown } | undefined
    const version = Number(row?.version ?? 0)
    if (version !== this.#version) {
      // One refresh at a time; a reader arriving meanwhile waits for it and checks again.
      while (this.#refresh !== undefined) await this.#refresh
      if (version !== this.#version) {
        this.#refresh = this.#reload(version).finally(() => (this.#refresh = undefined))
        await this.#refresh
      }
    }
    return { providers: this.#providers }
  }

  async #reload(version: number): Promise<void> {
    const k = this.#p.k
    const rows = (
      (await k
        .selectFrom('resource_providers')
        .select(['id', 'uuid', 'name', 'generation', 'parent_provider_id', 'root_provider_id'])
        .execute()) as Record<string, unknown>[]
    ).map((r): ProviderRow => ({
      id: Number(r.id),
      uuid: String(r.uuid),
      name: String(r.name),
      generation: Number(r.generation),
      parentId: r.parent_provider_id === null ? null : Number(r.parent_provider_id),
      rootId: r.root_provider_id === null ? Number(r.id) : Number(r.root_provider_id),
    }))
    const next = new Map(rows.map((r) => [r.id, r]))
    const changed = rows.filter((r) => {
      const old = this.#rows.get(r.id)
      return (
        old === undefined ||
        old.generation !== r.generation ||
        old.name !== r.name ||
        old.parentId !== r.parentId ||
        old.rootId !== r.rootId
      )
    })
    for (const [id, old] of this.#rows) if (!next.has(id)) this.#providers.delete(old.uuid)

    for (let i = 0; i < changed.length; i += CHUNK) {
      const part = changed.slice(i, i + CHUNK)
      const ids = part.map((r) => r.id)
      const [inventories, usage, traits, aggregates] = await Promise.all([
        k.selectFrom('inventories').selectAll().where('resource_provider_id', 'in', ids).execute(),
        k
          .selectFrom('allocations')
          .select(['resource_provider_id', 'resource_class'])
          .select((eb) => eb.fn.sum('used').as('used'))
          .where('resource_provider_id', 'in', ids)
          .groupBy(['resource_provider_id', 'resource_class'])
          .execute(),
        k
          .selectFrom('resource_provider_traits as rpt')
          .innerJoin('traits as t', 't.id', 'rpt.trait_id')
          .select(['rpt.resource_provider_id as rp', 't.name as name'])
          .where('rpt.resource_provider_id', 'in', ids)
          .execute(),
        k
          .selectFrom('resource_provider_aggregates')
          .select(['resource_provider_id as rp', 'aggregate_uuid as name'])
          .where('resource_provider_id', 'in', ids)
          .execute(),
      ])
      const used = new Map(
        (usage as Record<string, unknown>[]).map((r) => [
          `${Number(r.resource_provider_id)}/${String(r.resource_class)}`,
          Number(r.used),
        ]),
      )
      const invBy = new Map<number, Map<string, InventorySnapshot>>()
      for (const r of inventories as Record<string, unknown>[]) {
        const id = Number(r.resource_provider_id)
        const rc = String(r.resource_class)
        const map = invBy.get(id) ?? new Map<string, InventorySnapshot>()
        map.set(rc, {
          total: Number(r.total),
          reserved: Number(r.reserved),
          minUnit: Number(r.min_unit),
          maxUnit: Number(r.max_unit),
          stepSize: Number(r.step_size),
          allocationRatio: Number(r.allocation_ratio),
          used: used.get(`${id}/${rc}`) ?? 0,
        })
        invBy.set(id, map)
      }
      const names = (list: Record<string, unknown>[]) => {
        const out = new Map<number, Set<string>>()
        for (const r of list) {
          const id = Number(r.rp)
          const set = out.get(id) ?? new Set<string>()
          set.add(String(r.name))
          out.set(id, set)
        }
        return out
      }
      const traitsBy = names(traits as Record<string, unknown>[])
      const aggsBy = names(aggregates as Record<string, unknown>[])
      for (const r of part) {
        const old = this.#rows.get(r.id)
        if (old !== undefined && old.uuid !== r.uuid) this.#providers.delete(old.uuid)
        this.#providers.set(r.uuid, {
          uuid: r.uuid,
          name: r.name,
          generation: r.generation,
          parentUuid: r.parentId === null ? null : (next.get(r.parentId)?.uuid ?? null),
          rootUuid: next.get(r.rootId)?.uuid ?? r.uuid,
          inventories: invBy.get(r.id) ?? new Map(),
          traits: traitsBy.get(r.id) ?? EMPTY,
          aggregates: aggsBy.get(r.id) ?? EMPTY,
        })
      }
    }
    this.#rows = next
    this.#version = version
  }
}
