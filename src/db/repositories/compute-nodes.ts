import { randomUUID } from 'node:crypto'
import type { Database } from '../dialects.js'
import type { UntypedExecutor, UntypedKysely } from '../untyped.js'
import { withTransaction } from '../optimistic.js'

/** Columns of `compute_nodes` holding numbers that nova-compute reports (Nova's ComputeNode fields). */
export const COMPUTE_NODE_NUMBER_FIELDS = [
  'vcpus',
  'memory_mb',
  'local_gb',
  'vcpus_used',
  'memory_mb_used',
  'local_gb_used',
  'free_ram_mb',
  'free_disk_gb',
  'hypervisor_version',
  'current_workload',
  'running_vms',
  'disk_available_least',
  'cpu_allocation_ratio',
  'ram_allocation_ratio',
  'disk_allocation_ratio',
] as const

/** Columns holding text: the hypervisor type and address, and JSON documents (cpu_info, supported_instances, stats). */
export const COMPUTE_NODE_TEXT_FIELDS = [
  'hypervisor_type',
  'host_ip',
  'cpu_info',
  'supported_instances',
  'stats',
] as const

type NumberField = (typeof COMPUTE_NODE_NUMBER_FIELDS)[number]
type TextField = (typeof COMPUTE_NODE_TEXT_FIELDS)[number]

/** What a compute node reports about itself; null clears a column. Identity columns (uuid, host, node) are not here. */
export type ComputeNodeFields = { readonly [K in NumberField]?: number | null } & {
  readonly [K in TextField]?: string | null
}

/** A live row of `compute_nodes`, with Nova's field names, numbers as numbers whatever the engine. */
export type ComputeNodeRecord = { readonly [K in NumberField]: number | null } & {
  readonly [K in TextField]: string | null
} & {
  readonly id: number
  readonly uuid: string
  readonly service_id: number | null
  readonly host: string
  readonly hypervisor_hostname: string
  readonly created_at: Date | undefined
  readonly updated_at: Date | undefined
}

export interface ComputeNodesRepository {
  /**
   * Creates the node (host, nodename) with a new uuid, or updates it: `fields` are written; `defaults` only where
   * the row is new or the column is NULL (the `initial_*_allocation_ratio` semantics); `serviceId` links the row to
   * its nova-compute service. The uuid is made once and kept: the node's placement provider has it. Returns the row.
   */
  update(
    host: string,
    nodename: string,
    fields: ComputeNodeFields,
    options?: { readonly defaults?: ComputeNodeFields; readonly serviceId?: number },
  ): Promise<ComputeNodeRecord>
  getByHostAndNode(host: string, nodename: string): Promise<ComputeNodeRecord | undefined>
  getByUuid(uuid: string): Promise<ComputeNodeRecord | undefined>
  /** Live rows, ordered by id, optionally of one host. */
  list(filter?: { readonly host?: string }): Promise<ComputeNodeRecord[]>
}

/** The `compute_nodes` table of the main database; used by nova-conductor on behalf of nova-compute. */
export function createComputeNodesRepository(db: Database<unknown>): ComputeNodesRepository {
  const k = db.kysely as UntypedKysely
  const d = db.differences
  const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
  const toRecord = (row: Record<string, unknown>): ComputeNodeRecord =>
    ({
      ...Object.fromEntries(COMPUTE_NODE_NUMBER_FIELDS.map((f) => [f, num(row[f])])),
      ...Object.fromEntries(COMPUTE_NODE_TEXT_FIELDS.map((f) => [f, (row[f] as string | null) ?? null])),
      id: Number(row.id),
      uuid: String(row.uuid),
      service_id: num(row.service_id),
      host: String(row.host),
      hypervisor_hostname: String(row.hypervisor_hostname),
      created_at: d.fromDbDate(row.created_at),
      updated_at: d.fromDbDate(row.updated_at),
    }) as ComputeNodeRecord
  const live = (executor: UntypedExecutor = k) =>
    executor.selectFrom('compute_nodes').selectAll().where('deleted', '=', 0)
  const find = async (executor: UntypedExecutor, host: string, nodename: string) =>
    (await live(executor)
      .where('host', '=', host)
      .where('hypervisor_hostname', '=', nodename)
      .executeTakeFirst()) as Record<string, unknown> | undefined

  async function attempt(
    host: string,
    nodename: string,
    fields: ComputeNodeFields,
    defaults: ComputeNodeFields,
    serviceId: number | undefined,
  ): Promise<ComputeNodeRecord> {
    return await withTransaction(db, async (trx) => {
      const now = d.toDbDate(new Date())
      const existing = await find(trx, host, nodename)
      const link = serviceId === undefined ? {} : { service_id: serviceId }
      if (existing === undefined) {
        await trx
          .insertInto('compute_nodes')
          .values({
            ...defaults,
            ...fields,
            ...link,
            uuid: randomUUID(),
            host,
            hypervisor_hostname: nodename,
            deleted: 0,
            created_at: now,
          })
          .execute()
      } else {
        const fill = Object.fromEntries(
          Object.entries(defaults).filter(
            ([column]) => existing[column] === null || existing[column] === undefined,
          ),
        )
        await trx
          .updateTable('compute_nodes')
          .set({ ...fill, ...fields, ...link, updated_at: now })
          .where('id', '=', existing.id as number)
          .execute()
      }
      return toRecord((await find(trx, host, nodename))!)
    })
  }

  return {
    async update(host, nodename, fields, options = {}) {
      try {
        return await attempt(host, nodename, fields, options.defaults ?? {}, options.serviceId)
      } catch (error) {
        // Two first reports of one node raced: the other created the row; update it.
        if (!d.isUniqueViolation(error)) throw error
        return await attempt(host, nodename, fields, options.defaults ?? {}, options.serviceId)
      }
    },
    async getByHostAndNode(host, nodename) {
      const row = await find(k, host, nodename)
      return row === undefined ? undefined : toRecord(row)
    },
    async getByUuid(uuid) {
      const row = (await live().where('uuid', '=', uuid).executeTakeFirst()) as
        Record<string, unknown> | undefined
      return row === undefined ? undefined : toRecord(row)
    },
    async list(filter = {}) {
      let q = live().orderBy('id')
      if (filter.host !== undefined) q = q.where('host', '=', filter.host)
      return ((await q.execute()) as Record<string, unknown>[]).map(toRecord)
    },
  }
}
