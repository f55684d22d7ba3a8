import type { UntypedExecutor, UntypedKysely } from './untyped.js'
import type { Database } from './dialects.js'
type Db = UntypedExecutor

/** Tables whose rows belong to an instance (by instance_uuid); archived with it, before it. */
const INSTANCE_CHILDREN = [
  'instance_metadata',
  'instance_system_metadata',
  'instance_faults',
  'instance_info_caches',
  'instance_extra',
  'block_device_mapping',
  'migrations',
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
  /**
   * Nova's `--max_rows` (default 1000): the budget of one call. Soft-deleted instances are taken up to the
   * budget; the rows that belong to them (actions, events, metadata, faults, caches, extra, block device
   * mappings, migrations) move with them and
   * count against it, possibly overshooting it (an instance is never split); the remaining budget then goes to
   * the other tables' own soft-deleted rows. The call stops once the budget is used.
   */
  readonly maxRows?: number
  /** Only rows soft-deleted before this moment (`deleted_at < before`). */
  readonly before?: Date
  /** Count what would move, move nothing (the work is done in a transaction that is rolled back). */
  readonly dryRun?: boolean
  /** Told the uuids of the instances archived, e.g. to delete their instance mappings in the API database. */
  readonly onArchivedInstances?: (uuids: readonly string[]) => void
}

class DryRunRollback extends Error {}

/**
 * `nova-manage db archive_deleted_rows`: moves soft-deleted rows (`deleted != 0`) into the `shadow_*` tables,
 * in one transaction (all or nothing), children before parents so no foreign key is ever left dangling.
 * Returns the rows moved (or, with dryRun, that would move) per table in ARCHIVED_TABLES, zeros included;
 * all zeros means nothing was left to archive. Repeating the call until all zeros archives everything.
 */
export async function archiveDeletedRows(
  db: Database<unknown>,
  options: ArchiveOptions = {},
): Promise<Record<string, number>> {
  const maxRows = options.maxRows ?? 1000
  const before = options.before === undefined ? undefined : db.differences.toDbDate(options.before)
  const columns = await columnsOf(db)
  const counts: Record<string, number> = Object.fromEntries(ARCHIVED_TABLES.map((t) => [t, 0]))
  let archivedUuids: string[] = []
  const total = (): number => Object.values(counts).reduce((a, b) => a + b, 0)
  const deletedIds = async (trx: Db, table: string, limit: number, key = 'id') => {
    let q = trx.selectFrom(table).select(key).where('deleted', '!=', 0).orderBy('id').limit(limit)
    if (before !== undefined) q = q.where('deleted_at', '<', before)
    return ((await q.execute()) as Record<string, string | number>[]).map((r) => r[key]!)
  }
  const moveInto = async (trx: Db, table: string, key: string, values: readonly (string | number)[]) => {
    if (values.length > 0) counts[table]! += await move(trx, table, columns, key, values)
  }
  const actionsWithEvents = async (trx: Db, actionIds: readonly (string | number)[]) => {
    await moveInto(trx, 'instance_actions_events', 'action_id', actionIds)
    await moveInto(trx, 'instance_actions', 'id', actionIds)
  }

  const work = async (trx: Db): Promise<void> => {
    // 1. Deleted instances with everything that belongs to them, whatever those rows' own state.
    const uuids = (await deletedIds(trx, 'instances', maxRows, 'uuid')) as string[]
    if (uuids.length > 0) {
      const actions = await trx
        .selectFrom('instance_actions')
        .select('id')
        .where('instance_uuid', 'in', uuids)
        .execute()
      await actionsWithEvents(
        trx,
        (actions as { id: number }[]).map((r) => r.id),
      )
      for (const child of INSTANCE_CHILDREN) await moveInto(trx, child, 'instance_uuid', uuids)
      // Tags are hard-deleted with their server (they have no shadow table).
      if (options.dryRun !== true) await trx.deleteFrom('tags').where('resource_id', 'in', uuids).execute()
      await moveInto(trx, 'instances', 'uuid', uuids)
      archivedUuids = uuids
    }
    // 2. Rows soft-deleted on their own (a removed metadata key, a deleted service), while budget remains.
    for (const table of ARCHIVED_TABLES) {
      if (table === 'instances') continue
      const budget = maxRows - total()
      if (budget <= 0) break
      const ids = await deletedIds(trx, table, budget)
      if (table === 'instance_actions') await actionsWithEvents(trx, ids)
      else await moveInto(trx, table, 'id', ids)
    }
    if (options.dryRun === true) throw new DryRunRollback()
  }

  try {
    await (db.kysely as UntypedKysely).transaction().execute(work)
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error
  }
  if (options.dryRun !== true && archivedUuids.length > 0) options.onArchivedInstances?.(archivedUuids)
  return counts
}

/**
 * `nova-manage db purge`: deletes shadow rows (soft-deleted before `before`, or all), children first. Returns
 * rows deleted per shadow table (`shadow_<table>`), zeros included. Idempotent.
 */
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
