import { randomUUID } from 'node:crypto'
import { RowNotFound } from '../../common/errors/index.js'
import type { Database } from '../dialects.js'
import { updateWithExpectedState, withTransaction, type Expected } from '../optimistic.js'
import type { UntypedKysely } from '../untyped.js'
import { insertReturningId } from '../writes.js'

/** A row of the cell's `migrations` table (Nova's Migration object), times as Dates. */
export interface MigrationRecord {
  readonly id: number
  readonly uuid: string
  readonly instance_uuid: string
  readonly source_compute: string | null
  readonly dest_compute: string | null
  readonly source_node: string | null
  readonly dest_node: string | null
  readonly dest_host: string | null
  readonly old_instance_type_id: number | null
  readonly new_instance_type_id: number | null
  readonly status: string
  /** `resize`, `migration`, `live-migration` or `evacuation`. */
  readonly migration_type: string
  readonly hidden: boolean
  readonly user_id: string | null
  readonly project_id: string | null
  /** A live migration's progress in bytes (null until the compute reports it). */
  readonly memory_total: number | null
  readonly memory_processed: number | null
  readonly memory_remaining: number | null
  readonly disk_total: number | null
  readonly disk_processed: number | null
  readonly disk_remaining: number | null
  readonly created_at: Date | null
  readonly updated_at: Date | null
}

/** The columns a caller may set on a migration. */
export type MigrationFields = Partial<
  Pick<
    MigrationRecord,
    | 'source_compute'
    | 'dest_compute'
    | 'source_node'
    | 'dest_node'
    | 'dest_host'
    | 'old_instance_type_id'
    | 'new_instance_type_id'
    | 'status'
    | (typeof MIGRATION_PROGRESS_FIELDS)[number]
  >
>

/** The progress columns of a live migration (bytes). */
export const MIGRATION_PROGRESS_FIELDS = [
  'memory_total',
  'memory_processed',
  'memory_remaining',
  'disk_total',
  'disk_processed',
  'disk_remaining',
] as const

export type NewMigration = MigrationFields &
  Pick<MigrationRecord, 'instance_uuid' | 'migration_type' | 'status'> & {
    readonly user_id?: string | null
    readonly project_id?: string | null
  }

export type MovesRepository = ReturnType<typeof createMovesRepository>

/**
 * What the move operations (resize, cold migration, shelve, rebuild) write besides the instance row: the
 * `migrations` records, the instance's flavors in `instance_extra.flavor` ({cur, old, new}) and single system
 * metadata keys (shelved_image_id, old_vm_state, …).
 */
export function createMovesRepository(db: Database<unknown>) {
  const k = db.kysely as UntypedKysely
  const d = db.differences
  const now = () => d.toDbDate(new Date())

  const record = (row: Record<string, unknown>): MigrationRecord =>
    ({
      ...row,
      id: Number(row.id),
      hidden: d.fromDbBool(row.hidden),
      ...Object.fromEntries(
        MIGRATION_PROGRESS_FIELDS.map((f) => [
          f,
          row[f] === null || row[f] === undefined ? null : Number(row[f]),
        ]),
      ),
      created_at: d.fromDbDate(row.created_at) ?? null,
      updated_at: d.fromDbDate(row.updated_at) ?? null,
    }) as unknown as MigrationRecord

  async function get(id: number): Promise<MigrationRecord | undefined> {
    const row = await k
      .selectFrom('migrations')
      .selectAll()
      .where('id', '=', id)
      .where('deleted', '=', 0)
      .executeTakeFirst()
    return row === undefined ? undefined : record(row as Record<string, unknown>)
  }

  return {
    get,

    async create(input: NewMigration): Promise<MigrationRecord> {
      const id = await insertReturningId(k, d, 'migrations', {
        ...input,
        uuid: randomUUID(),
        hidden: d.toDbBool(false),
        cross_cell_move: d.toDbBool(false),
        deleted: 0,
        created_at: now(),
        updated_at: now(),
      })
      return (await get(id))!
    },

    /** Changes a migration; with `expected`, only if its columns still hold one of the values given. */
    async update(id: number, changes: MigrationFields, expected: Expected = {}): Promise<MigrationRecord> {
      await updateWithExpectedState(db, { table: 'migrations', idColumn: 'id', id, expected, changes })
      return (await get(id))!
    },

    /** The instance's migrations, newest first; `statuses` limits them. */
    async ofInstance(instanceUuid: string, statuses?: readonly string[]): Promise<MigrationRecord[]> {
      let q = k
        .selectFrom('migrations')
        .selectAll()
        .where('instance_uuid', '=', instanceUuid)
        .where('deleted', '=', 0)
      if (statuses !== undefined) q = q.where('status', 'in', [...statuses])
      const rows = await q.orderBy('id', 'desc').execute()
      return rows.map((r) => record(r as Record<string, unknown>))
    },

    /** Migrations in one of `statuses` (all instances), oldest first: the auto-confirm periodic task's query. */
    async withStatus(statuses: readonly string[]): Promise<MigrationRecord[]> {
      const rows = await k
        .selectFrom('migrations')
        .selectAll()
        .where('status', 'in', [...statuses])
        .where('deleted', '=', 0)
        .orderBy('id', 'asc')
        .execute()
      return rows.map((r) => record(r as Record<string, unknown>))
    },

    /** A compute host with a compute node (not deleted): where a move may be asked to go. */
    async computeHostExists(host: string): Promise<boolean> {
      const row = await k
        .selectFrom('compute_nodes')
        .select('id')
        .where('host', '=', host)
        .where('deleted', '=', 0)
        .executeTakeFirst()
      return row !== undefined
    },

    /** Replaces `instance_extra.flavor` ({cur, old, new}). */
    async setFlavor(instanceUuid: string, flavor: unknown): Promise<void> {
      const result = await k
        .updateTable('instance_extra')
        .set({ flavor: JSON.stringify(flavor), updated_at: now() })
        .where('instance_uuid', '=', instanceUuid)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0)
        throw new RowNotFound({ table: 'instance_extra', id: instanceUuid })
    },

    /** Sets (or with null removes) system metadata keys of the instance. */
    async setSystemMetadata(
      instanceUuid: string,
      values: Readonly<Record<string, string | null>>,
    ): Promise<void> {
      await withTransaction(db, async (trx) => {
        for (const [key, value] of Object.entries(values)) {
          await trx
            .deleteFrom('instance_system_metadata')
            .where('instance_uuid', '=', instanceUuid)
            .where('key', '=', key)
            .execute()
          if (value !== null)
            await trx
              .insertInto('instance_system_metadata')
              .values({
                instance_uuid: instanceUuid,
                key,
                value,
                deleted: 0,
                created_at: now(),
                updated_at: now(),
              })
              .execute()
        }
      })
    },
  }
}
