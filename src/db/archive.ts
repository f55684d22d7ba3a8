import type { UntypedKysely, UntypedExecutor } from './untyped.js'
import type { Database } from './dialects.js'
type Db = UntypedExecutor

/** Tables whose rows belong to an instance (by instance_uuid); archived with it, before it. */
const INSTANCE_CHILDREN = [
  'instance_metadata',
  'instance_system_metadata',
  'instance_faults',
  'instance_info_caches',
  'instance_extra',
] as const
/** Soft-deleting tables that stand alone. */
const STANDALONE = ['services', 'compute_nodes'] as const
/** Every table with a shadow twin, children before parents (the order rows are moved and purged in). */
export const ARCHIVED_TABLES = [
  'instance_actions_events',
  'instance_actions',
  ...INSTANCE_CHILDREN,
  'instances',
  ...STANDALONE,
] as const

export interface ArchiveOptions {
  /** At most this many soft-deleted instances, and rows of each standalone table, per call (default 1000). */
  readonly maxRows?: number
  /** Only rows deleted before this moment. */
  readonly before?: Date
}

/**
 * `nova-manage db archive_deleted_rows`: moves soft-deleted rows into the `shadow_*` tables in one transaction.
 * A deleted instance takes every row that belongs to it (actions and their events, metadata, faults, caches,
 * extra) whatever their own state, children first, so no foreign key is ever left dangling. Returns the rows
 * moved per table; all zeros means nothing was left to archive.
 */
export async function archiveDeletedRows(
  db: Database<unknown>,
  options: ArchiveOptions = {},
): Promise<Record<string, number>> {
  const maxRows = options.maxRows ?? 1000
  const before = options.before === undefined ? undefined : db.differences.toDbDate(options.before)
  const counts: Record<string, number> = Object.fromEntries(ARCHIVED_TABLES.map((t) => [t, 0]))
  const columns = await columnsOf(db)
  await (db.kysely as UntypedKysely).transaction().execute(async (trx) => {
    let instances = trx
      .selectFrom('instances')
      .select(['id', 'uuid'])
      .where('deleted', '!=', 0)
      .orderBy('id')
      .limit(maxRows)
    if (before !== undefined) instances = instances.where('deleted_at', '<', before)
    const rows = (await instances.execute()) as { id: number; uuid: string }[]
    if (rows.length > 0) {
      const uuids = rows.map((r) => r.uuid)
      const actionIds = (
        (await trx
          .selectFrom('instance_actions')
          .select('id')
          .where('instance_uuid', 'in', uuids)
          .execute()) as { id: number }[]
      ).map((r) => r.id)
      if (actionIds.length > 0)
        counts.instance_actions_events! += await move(
          trx,
          'instance_actions_events',
          columns,
          'action_id',
          actionIds,
        )
      counts.instance_actions! += await move(trx, 'instance_actions', columns, 'instance_uuid', uuids)
      for (const child of INSTANCE_CHILDREN)
        counts[child]! += await move(trx, child, columns, 'instance_uuid', uuids)
      counts.instances! += await move(
        trx,
        'instances',
        columns,
        'id',
        rows.map((r) => r.id),
      )
    }
    for (const table of STANDALONE) {
      let q = trx.selectFrom(table).select('id').where('deleted', '!=', 0).orderBy('id').limit(maxRows)
      if (before !== undefined) q = q.where('deleted_at', '<', before)
      const ids = ((await q.execute()) as { id: number }[]).map((r) => r.id)
      if (ids.length > 0) counts[table]! += await move(trx, table, columns, 'id', ids)
    }
  })
  return counts
}

/** `nova-manage db purge`: deletes shadow rows (deleted before `before`, or all). Returns rows deleted per table. */
export async function purgeShadowTables(
  db: Database<unknown>,
  options: { readonly before?: Date } = {},
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const before = options.before === undefined ? undefined : db.differences.toDbDate(options.before)
  const kysely = db.kysely as Db
  for (const table of ARCHIVED_TABLES) {
    let q = kysely.deleteFrom(`shadow_${table}`)
    if (before !== undefined) q = q.where('deleted_at', '<', before)
    counts[`shadow_${table}`] = Number((await q.executeTakeFirst()).numDeletedRows)
  }
  return counts
}

async function move(
  trx: Db,
  table: string,
  columns: ReadonlyMap<string, readonly string[]>,
  key: string,
  values: readonly (string | number)[],
): Promise<number> {
  const cols = [...(columns.get(table) ?? [])]
  await trx
    .insertInto(`shadow_${table}`)
    .columns(cols)
    .expression(trx.selectFrom(table).select(cols).where(key, 'in', values))
    .execute()
  const deleted = await trx.deleteFrom(table).where(key, 'in', values).executeTakeFirst()
  return Number(deleted.numDeletedRows)
}

/** Column names of every archived table, read from the live schema (so later migrations need no change here). */
async function columnsOf(db: Database<unknown>): Promise<Map<string, string[]>> {
  const tables = await db.kysely.introspection.getTables()
  const wanted = new Set<string>(ARCHIVED_TABLES)
  return new Map(tables.filter((t) => wanted.has(t.name)).map((t) => [t.name, t.columns.map((c) => c.name)]))
}
