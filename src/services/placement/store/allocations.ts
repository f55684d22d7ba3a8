import type { UntypedExecutor } from '../../../db/untyped.js'
import { badRequest, conflict } from '../errors.js'
import type { PlacementDb } from './placement-db.js'

/** Provider uuid → resource class → amount. */
export type AllocationMap = ReadonlyMap<string, ReadonlyMap<string, number>>

export interface ConsumerRecord {
  readonly uuid: string
  readonly projectId: string
  readonly userId: string
  readonly generation: number
  readonly consumerType: string | null
}

/** One consumer's complete new allocations, as PUT /allocations/{c}, POST /allocations and reshaper write them. */
export interface ConsumerAllocations {
  readonly consumer: string
  readonly allocations: AllocationMap
  readonly projectId: string
  readonly userId: string
  /** null: the writer believes the consumer is new; undefined: no check (before 1.28). */
  readonly consumerGeneration?: number | null
  readonly consumerType?: string | null
}

export interface ConsumerView {
  readonly consumer: ConsumerRecord | undefined
  /** Provider uuid → {generation, resources}. */
  readonly allocations: ReadonlyMap<string, { generation: number; resources: Record<string, number> }>
}

export function createAllocationStore(p: PlacementDb) {
  async function consumer(
    uuid: string,
    executor: UntypedExecutor = p.k,
  ): Promise<ConsumerRecord | undefined> {
    const r = (await executor
      .selectFrom('consumers')
      .selectAll()
      .where('uuid', '=', uuid)
      .executeTakeFirst()) as Record<string, unknown> | undefined
    if (r === undefined) return undefined
    return {
      uuid,
      projectId: String(r.project_id),
      userId: String(r.user_id),
      generation: Number(r.generation),
      consumerType:
        r.consumer_type === null || r.consumer_type === undefined ? null : String(r.consumer_type),
    }
  }

  async function ofConsumer(uuid: string, executor: UntypedExecutor = p.k): Promise<ConsumerView> {
    const rows = (await executor
      .selectFrom('allocations as a')
      .innerJoin('resource_providers as rp', 'rp.id', 'a.resource_provider_id')
      .select([
        'rp.uuid as rp_uuid',
        'rp.generation as generation',
        'a.resource_class as rc',
        'a.used as used',
      ])
      .where('a.consumer_id', '=', uuid)
      .orderBy('rp.uuid')
      .orderBy('a.resource_class')
      .execute()) as Record<string, unknown>[]
    const allocations = new Map<string, { generation: number; resources: Record<string, number> }>()
    for (const r of rows) {
      const key = String(r.rp_uuid)
      const entry = allocations.get(key) ?? { generation: Number(r.generation), resources: {} }
      entry.resources[String(r.rc)] = Number(r.used)
      allocations.set(key, entry)
    }
    return { consumer: await consumer(uuid, executor), allocations }
  }

  /**
   * Writes the complete allocations of each consumer in ONE transaction: every provider touched (before or
   * after) is locked by moving its generation on, in id order (writers of a provider queue up instead of
   * over-committing it), consumer generations are checked, old allocations replaced, and then every class
   * written is checked against the capacity left; any failure rolls the whole write back.
   */
  async function replaceIn(trx: UntypedExecutor, entries: readonly ConsumerAllocations[]): Promise<void> {
    const uuids = new Set(entries.flatMap((e) => [...e.allocations.keys()]))
    const providers = new Map<string, number>()
    if (uuids.size > 0) {
      const rows = (await trx
        .selectFrom('resource_providers')
        .select(['id', 'uuid'])
        .where('uuid', 'in', [...uuids])
        .execute()) as { id: unknown; uuid: unknown }[]
      for (const r of rows) providers.set(String(r.uuid), Number(r.id))
    }
    for (const uuid of uuids)
      if (!providers.has(uuid))
        throw badRequest(`Allocation for resource provider '${uuid}' that does not exist.`)
    const consumers = entries.map((e) => e.consumer)
    const oldRows = (await trx
      .selectFrom('allocations')
      .select(['resource_provider_id', 'consumer_id'])
      .where('consumer_id', 'in', consumers)
      .execute()) as { resource_provider_id: unknown }[]
    const touched = [
      ...new Set([...providers.values(), ...oldRows.map((r) => Number(r.resource_provider_id))]),
    ]
    for (const id of touched.sort((a, b) => a - b)) {
      await trx
        .updateTable('resource_providers')
        .set((eb) => ({ generation: eb('generation', '+', 1) }))
        .where('id', '=', id)
        .execute()
    }

    const now = p.now()
    for (const entry of entries) {
      const existing = await consumer(entry.consumer, trx)
      if (entry.consumerGeneration !== undefined) {
        const actual = existing?.generation ?? null
        if (actual !== entry.consumerGeneration)
          throw conflict(
            `consumer generation conflict - expected ${entry.consumerGeneration ?? 'null'} but got ${actual ?? 'None'}`,
            'placement.concurrent_update',
          )
      }
      await trx.deleteFrom('allocations').where('consumer_id', '=', entry.consumer).execute()
      const values = [...entry.allocations].flatMap(([rp, resources]) =>
        [...resources].map(([rc, used]) => ({
          resource_provider_id: providers.get(rp)!,
          consumer_id: entry.consumer,
          resource_class: rc,
          used,
          created_at: now,
          updated_at: now,
        })),
      )
      if (values.length > 0) await trx.insertInto('allocations').values(values).execute()
      if (values.length === 0) {
        await trx.deleteFrom('consumers').where('uuid', '=', entry.consumer).execute()
      } else if (existing === undefined) {
        try {
          await trx
            .insertInto('consumers')
            .values({
              uuid: entry.consumer,
              project_id: entry.projectId,
              user_id: entry.userId,
              generation: 1,
              consumer_type: entry.consumerType ?? null,
              created_at: now,
              updated_at: now,
            })
            .execute()
        } catch (error) {
          if (p.db.differences.isUniqueViolation(error))
            throw conflict(
              'consumer generation conflict - the consumer was created concurrently',
              'placement.concurrent_update',
            )
          throw error
        }
      } else {
        const result = await trx
          .updateTable('consumers')
          .set({
            generation: existing.generation + 1,
            project_id: entry.projectId,
            user_id: entry.userId,
            ...(entry.consumerType === undefined ? {} : { consumer_type: entry.consumerType }),
            updated_at: now,
          })
          .where('uuid', '=', entry.consumer)
          .where('generation', '=', existing.generation)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0)
          throw conflict(
            'consumer generation conflict - the consumer changed concurrently',
            'placement.concurrent_update',
          )
      }
    }
    await checkCapacity(trx, entries, providers)
  }

  async function checkCapacity(
    trx: UntypedExecutor,
    entries: readonly ConsumerAllocations[],
    providers: ReadonlyMap<string, number>,
  ): Promise<void> {
    const wanted = new Map<number, Set<string>>()
    for (const entry of entries)
      for (const [rp, resources] of entry.allocations) {
        const id = providers.get(rp)!
        const set = wanted.get(id) ?? new Set<string>()
        for (const rc of resources.keys()) set.add(rc)
        wanted.set(id, set)
      }
    if (wanted.size === 0) return
    const ids = [...wanted.keys()]
    const inventories = (await trx
      .selectFrom('inventories')
      .selectAll()
      .where('resource_provider_id', 'in', ids)
      .execute()) as Record<string, unknown>[]
    const usage = (await trx
      .selectFrom('allocations')
      .select(['resource_provider_id', 'resource_class'])
      .select((eb) => eb.fn.sum('used').as('used'))
      .where('resource_provider_id', 'in', ids)
      .groupBy(['resource_provider_id', 'resource_class'])
      .execute()) as Record<string, unknown>[]
    const key = (id: unknown, rc: unknown) => `${Number(id)}/${String(rc)}`
    const inv = new Map(inventories.map((r) => [key(r.resource_provider_id, r.resource_class), r]))
    const used = new Map(usage.map((r) => [key(r.resource_provider_id, r.resource_class), Number(r.used)]))
    const uuidOf = new Map([...providers].map(([u, id]) => [id, u]))
    for (const entry of entries)
      for (const [rp, resources] of entry.allocations)
        for (const [rc, amount] of resources) {
          const row = inv.get(key(providers.get(rp), rc))
          if (row === undefined)
            throw conflict(
              `Unable to allocate inventory: Inventory for '${rc}' on resource provider '${rp}' invalid.`,
            )
          const min = Number(row.min_unit)
          const max = Number(row.max_unit)
          const step = Number(row.step_size)
          if (amount < min || amount > max || amount % step !== 0)
            throw badRequest(
              `Unable to allocate inventory: Allocation for resource provider '${rp}' violated min_unit, max_unit, or step_size. Requested: ${amount}, min_unit: ${min}, max_unit: ${max}, step_size: ${step}`,
            )
        }
    for (const [id, classes] of wanted)
      for (const rc of classes) {
        const row = inv.get(key(id, rc))!
        const capacity = Math.floor((Number(row.total) - Number(row.reserved)) * Number(row.allocation_ratio))
        const total = used.get(key(id, rc)) ?? 0
        if (total > capacity)
          throw conflict(
            `Unable to allocate inventory: Unable to create allocation for '${rc}' on resource provider '${uuidOf.get(id)}'. The requested amount would exceed the capacity.`,
          )
      }
  }

  return {
    consumer,
    ofConsumer,
    replaceIn,
    replace: (entries: readonly ConsumerAllocations[]) => p.write((trx) => replaceIn(trx, entries)),

    /** Deletes a consumer's allocations; false when it had none. */
    async delete(uuid: string): Promise<boolean> {
      return p.write(async (trx) => {
        const rows = (await trx
          .selectFrom('allocations')
          .select('resource_provider_id')
          .distinct()
          .where('consumer_id', '=', uuid)
          .execute()) as { resource_provider_id: unknown }[]
        if (rows.length === 0) return false
        for (const id of rows.map((r) => Number(r.resource_provider_id)).sort((a, b) => a - b))
          await trx
            .updateTable('resource_providers')
            .set((eb) => ({ generation: eb('generation', '+', 1) }))
            .where('id', '=', id)
            .execute()
        await trx.deleteFrom('allocations').where('consumer_id', '=', uuid).execute()
        await trx.deleteFrom('consumers').where('uuid', '=', uuid).execute()
        return true
      })
    },

    /** consumer uuid → class → amount, against one provider. */
    async ofProvider(providerId: number): Promise<Map<string, Record<string, number>>> {
      const rows = (await p.k
        .selectFrom('allocations')
        .select(['consumer_id', 'resource_class', 'used'])
        .where('resource_provider_id', '=', providerId)
        .orderBy('consumer_id')
        .execute()) as Record<string, unknown>[]
      const out = new Map<string, Record<string, number>>()
      for (const r of rows) {
        const entry = out.get(String(r.consumer_id)) ?? {}
        entry[String(r.resource_class)] = Number(r.used)
        out.set(String(r.consumer_id), entry)
      }
      return out
    },

    /** class → used, for one provider (classes of its inventory with nothing used are 0). */
    async usagesOfProvider(providerId: number): Promise<Record<string, number>> {
      const inv = (await p.k
        .selectFrom('inventories')
        .select('resource_class')
        .where('resource_provider_id', '=', providerId)
        .execute()) as { resource_class: unknown }[]
      const rows = (await p.k
        .selectFrom('allocations')
        .select('resource_class')
        .select((eb) => eb.fn.sum('used').as('used'))
        .where('resource_provider_id', '=', providerId)
        .groupBy('resource_class')
        .execute()) as { resource_class: unknown; used: unknown }[]
      const out: Record<string, number> = Object.fromEntries(inv.map((r) => [String(r.resource_class), 0]))
      for (const r of rows) out[String(r.resource_class)] = Number(r.used)
      return out
    },

    /** Usage of a project (and user), per consumer type ('unknown' for untyped consumers). */
    async usagesOfProject(filter: {
      projectId: string
      userId?: string
      consumerType?: string
    }): Promise<Map<string, { consumerCount: number; usages: Record<string, number> }>> {
      let q = p.k
        .selectFrom('allocations as a')
        .innerJoin('consumers as c', 'c.uuid', 'a.consumer_id')
        .select([
          'c.consumer_type as consumer_type',
          'a.resource_class as rc',
          'a.consumer_id as consumer',
          'a.used as used',
        ])
        .where('c.project_id', '=', filter.projectId)
      if (filter.userId !== undefined) q = q.where('c.user_id', '=', filter.userId)
      if (filter.consumerType !== undefined && filter.consumerType !== 'all') {
        q =
          filter.consumerType === 'unknown'
            ? q.where('c.consumer_type', 'is', null)
            : q.where('c.consumer_type', '=', filter.consumerType)
      }
      const rows = (await q.execute()) as Record<string, unknown>[]
      const groups = new Map<string, { consumers: Set<string>; usages: Record<string, number> }>()
      for (const r of rows) {
        const type =
          filter.consumerType === 'all'
            ? 'all'
            : r.consumer_type === null || r.consumer_type === undefined
              ? 'unknown'
              : String(r.consumer_type)
        const g = groups.get(type) ?? { consumers: new Set<string>(), usages: {} }
        g.consumers.add(String(r.consumer))
        g.usages[String(r.rc)] = (g.usages[String(r.rc)] ?? 0) + Number(r.used)
        groups.set(type, g)
      }
      return new Map([...groups].map(([t, g]) => [t, { consumerCount: g.consumers.size, usages: g.usages }]))
    },
  }
}

export type AllocationStore = ReturnType<typeof createAllocationStore>
