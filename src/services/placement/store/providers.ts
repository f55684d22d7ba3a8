import { sql } from 'kysely'
import type { UntypedExecutor } from '../../../db/untyped.js'
import { badRequest, conflict, notFound } from '../errors.js'
import type { PlacementDb } from './placement-db.js'

export interface ProviderRecord {
  readonly id: number
  readonly uuid: string
  readonly name: string
  readonly generation: number
  readonly parentUuid: string | null
  readonly rootUuid: string
  readonly rootId: number
  readonly parentId: number | null
  readonly createdAt: Date | undefined
  readonly updatedAt: Date | undefined
}

/** Filters of `GET /resource_providers` after parsing; ids already resolved. */
export interface ProviderFilter {
  readonly name?: string
  readonly uuid?: string
  /** Each entry: the provider is in one of these aggregates. */
  readonly memberOf?: readonly (readonly string[])[]
  readonly notMemberOf?: readonly string[]
  readonly inTreeRootId?: number
  /** Trait ids: all of `traits`, none of `forbiddenTraits`, one of each `anyTraits` set. */
  readonly traits?: readonly number[]
  readonly forbiddenTraits?: readonly number[]
  readonly anyTraits?: readonly (readonly number[])[]
  /** Class → amount the provider must have free capacity for. */
  readonly resources?: ReadonlyMap<string, number>
}

export function createProviderStore(p: PlacementDb) {
  const d = p.db.differences
  const base = (executor: UntypedExecutor) =>
    executor
      .selectFrom('resource_providers as rp')
      .leftJoin('resource_providers as parent', 'parent.id', 'rp.parent_provider_id')
      .leftJoin('resource_providers as root', 'root.id', 'rp.root_provider_id')
      .select([
        'rp.id as id',
        'rp.uuid as uuid',
        'rp.name as name',
        'rp.generation as generation',
        'rp.parent_provider_id as parent_id',
        'rp.root_provider_id as root_id',
        'parent.uuid as parent_uuid',
        'root.uuid as root_uuid',
        'rp.created_at as created_at',
        'rp.updated_at as updated_at',
      ])
  const toRecord = (r: Record<string, unknown>): ProviderRecord => ({
    id: Number(r.id),
    uuid: String(r.uuid),
    name: String(r.name),
    generation: Number(r.generation),
    parentUuid: r.parent_uuid === null || r.parent_uuid === undefined ? null : String(r.parent_uuid),
    rootUuid: r.root_uuid === null || r.root_uuid === undefined ? String(r.uuid) : String(r.root_uuid),
    rootId: r.root_id === null ? Number(r.id) : Number(r.root_id),
    parentId: r.parent_id === null || r.parent_id === undefined ? null : Number(r.parent_id),
    createdAt: d.fromDbDate(r.created_at),
    updatedAt: d.fromDbDate(r.updated_at) ?? d.fromDbDate(r.created_at),
  })

  async function find(uuid: string, executor: UntypedExecutor = p.k): Promise<ProviderRecord | undefined> {
    const row = await base(executor).where('rp.uuid', '=', uuid).executeTakeFirst()
    return row === undefined ? undefined : toRecord(row as Record<string, unknown>)
  }
  async function get(uuid: string, executor: UntypedExecutor = p.k): Promise<ProviderRecord> {
    const found = await find(uuid, executor)
    if (found === undefined)
      throw notFound(`No resource provider with uuid ${uuid} found`, 'placement.resource_provider.not_found')
    return found
  }

  async function nameTaken(executor: UntypedExecutor, name: string, exceptId?: number) {
    let q = executor.selectFrom('resource_providers').select('id').where('name', '=', name)
    if (exceptId !== undefined) q = q.where('id', '<>', exceptId)
    return (await q.executeTakeFirst()) !== undefined
  }

  /** Ids of the provider and all its descendants. */
  async function subtreeIds(executor: UntypedExecutor, root: ProviderRecord): Promise<number[]> {
    const rows = (await executor
      .selectFrom('resource_providers')
      .select(['id', 'parent_provider_id'])
      .where('root_provider_id', '=', root.rootId)
      .execute()) as { id: unknown; parent_provider_id: unknown }[]
    const children = new Map<number, number[]>()
    for (const r of rows) {
      if (r.parent_provider_id === null) continue
      const parent = Number(r.parent_provider_id)
      children.set(parent, [...(children.get(parent) ?? []), Number(r.id)])
    }
    const out: number[] = []
    const stack = [root.id]
    while (stack.length > 0) {
      const id = stack.pop()!
      out.push(id)
      stack.push(...(children.get(id) ?? []))
    }
    return out
  }

  return {
    find,
    get,
    subtreeIds,

    async list(filter: ProviderFilter): Promise<ProviderRecord[]> {
      let q = base(p.k)
      if (filter.name !== undefined) q = q.where('rp.name', '=', filter.name)
      if (filter.uuid !== undefined) q = q.where('rp.uuid', '=', filter.uuid)
      if (filter.inTreeRootId !== undefined) q = q.where('rp.root_provider_id', '=', filter.inTreeRootId)
      // Providers with a row in `table` whose `column` is one of `values`.
      const withAny = (table: string, column: string, values: readonly (string | number)[]) =>
        p.k
          .selectFrom(table)
          .select('resource_provider_id')
          .where(column, 'in', [...values])
      const aggregates = 'resource_provider_aggregates'
      const traits = 'resource_provider_traits'
      for (const anyOf of filter.memberOf ?? [])
        q = q.where('rp.id', 'in', withAny(aggregates, 'aggregate_uuid', anyOf))
      if ((filter.notMemberOf ?? []).length > 0)
        q = q.where('rp.id', 'not in', withAny(aggregates, 'aggregate_uuid', filter.notMemberOf!))
      for (const traitId of filter.traits ?? [])
        q = q.where('rp.id', 'in', withAny(traits, 'trait_id', [traitId]))
      for (const anyOf of filter.anyTraits ?? [])
        q = q.where('rp.id', 'in', withAny(traits, 'trait_id', anyOf))
      if ((filter.forbiddenTraits ?? []).length > 0)
        q = q.where('rp.id', 'not in', withAny(traits, 'trait_id', filter.forbiddenTraits!))
      for (const [rc, amount] of filter.resources ?? []) {
        // Has the class, and (total − reserved) × ratio − used ≥ amount, with amount within max_unit.
        q = q.where(
          'rp.id',
          'in',
          p.k
            .selectFrom('inventories as inv')
            .select('inv.resource_provider_id')
            .where('inv.resource_class', '=', rc)
            .where('inv.max_unit', '>=', amount)
            .where(
              sql<boolean>`(inv.total - inv.reserved) * inv.allocation_ratio - coalesce((select sum(a.used) from allocations a where a.resource_provider_id = inv.resource_provider_id and a.resource_class = inv.resource_class), 0) >= ${amount}`,
            ),
        )
      }
      const rows = await q.orderBy('rp.id').execute()
      return rows.map((r) => toRecord(r as Record<string, unknown>))
    },

    async create(input: { uuid: string; name: string; parentUuid?: string | null }): Promise<ProviderRecord> {
      return p.write(async (trx) => {
        if ((await find(input.uuid, trx)) !== undefined)
          throw conflict(
            `Conflicting resource provider uuid: ${input.uuid} already exists.`,
            'placement.duplicate_name',
          )
        if (await nameTaken(trx, input.name))
          throw conflict(
            `Conflicting resource provider name: ${input.name} already exists.`,
            'placement.duplicate_name',
          )
        let parent: ProviderRecord | undefined
        if (input.parentUuid !== undefined && input.parentUuid !== null) {
          parent = await find(input.parentUuid, trx)
          if (parent === undefined)
            throw badRequest(`parent provider UUID ${input.parentUuid} does not exist.`)
        }
        const now = p.now()
        await trx
          .insertInto('resource_providers')
          .values({
            uuid: input.uuid,
            name: input.name,
            generation: 0,
            parent_provider_id: parent?.id ?? null,
            root_provider_id: parent?.rootId ?? null,
            created_at: now,
            updated_at: now,
          })
          .execute()
        if (parent === undefined) {
          await trx
            .updateTable('resource_providers')
            .set({ root_provider_id: sql.ref('id') })
            .where('uuid', '=', input.uuid)
            .execute()
        }
        return get(input.uuid, trx)
      })
    },

    /** Renames and/or re-parents (`parentUuid` undefined: unchanged; null: becomes a root). */
    async update(
      uuid: string,
      change: { name: string; parentUuid?: string | null },
      allowReparent: boolean,
    ): Promise<ProviderRecord> {
      return p.write(async (trx) => {
        const current = await get(uuid, trx)
        if (await nameTaken(trx, change.name, current.id))
          throw conflict(
            `Conflicting resource provider name: ${change.name} already exists.`,
            'placement.duplicate_name',
          )
        const set: Record<string, unknown> = { name: change.name, updated_at: p.now() }
        const wanted = change.parentUuid
        if (wanted !== undefined && wanted !== current.parentUuid) {
          if (!allowReparent) {
            if (current.parentUuid !== null)
              throw badRequest(
                'Unable to save resource provider: changing the parent provider is not allowed.',
              )
            if (wanted === null) throw badRequest('Un-parenting a provider is not allowed.')
          }
          const moved = await subtreeIds(trx, current)
          let newRootId = current.id
          if (wanted !== null) {
            const parent = await find(wanted, trx)
            if (parent === undefined) throw badRequest(`parent provider UUID ${wanted} does not exist.`)
            if (moved.includes(parent.id))
              throw badRequest('creating loop in the provider tree is not allowed.')
            newRootId = parent.rootId
            set.parent_provider_id = parent.id
          } else set.parent_provider_id = null
          // Descendants move too; their generation moves on so every reader sees the new root.
          await trx
            .updateTable('resource_providers')
            .set({ root_provider_id: newRootId, generation: sql`generation + 1` })
            .where('id', 'in', moved)
            .where('id', '<>', current.id)
            .execute()
          set.root_provider_id = newRootId
        }
        await trx
          .updateTable('resource_providers')
          .set({ ...set, generation: sql`generation + 1` })
          .where('id', '=', current.id)
          .execute()
        return get(uuid, trx)
      })
    },

    async delete(uuid: string): Promise<void> {
      await p.write(async (trx) => {
        const current = await get(uuid, trx)
        await trx
          .updateTable('resource_providers')
          .set({ generation: sql`generation + 1` })
          .where('id', '=', current.id)
          .execute()
        const child = await trx
          .selectFrom('resource_providers')
          .select('id')
          .where('parent_provider_id', '=', current.id)
          .executeTakeFirst()
        if (child !== undefined)
          throw conflict(
            `Unable to delete parent resource provider ${uuid}: It has child resource providers.`,
            'placement.resource_provider.cannot_delete_parent',
          )
        const used = await trx
          .selectFrom('allocations')
          .select('id')
          .where('resource_provider_id', '=', current.id)
          .executeTakeFirst()
        if (used !== undefined)
          throw conflict(
            `Unable to delete resource provider ${uuid}: Resource provider has allocations.`,
            'placement.resource_provider.inuse',
          )
        for (const table of ['inventories', 'resource_provider_traits', 'resource_provider_aggregates'])
          await trx.deleteFrom(table).where('resource_provider_id', '=', current.id).execute()
        await trx.deleteFrom('resource_providers').where('id', '=', current.id).execute()
      })
    },
  }
}

export type ProviderStore = ReturnType<typeof createProviderStore>
