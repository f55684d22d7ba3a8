import type { UntypedExecutor, UntypedKysely } from './untyped.js'
import { sql } from 'kysely'
import { RowNotFound, UnexpectedStateError } from '../common/errors/index.js'
import type { Database } from './dialects.js'

/** Values a field may hold for the update to apply; `null` matches SQL NULL. */
export type Expected = Readonly<Record<string, readonly (string | number | null)[]>>

export interface ExpectedStateUpdate {
  readonly table: string
  /** The key column, e.g. `uuid`. */
  readonly idColumn: string
  readonly id: string | number
  /** e.g. `{ task_state: [null] }`, Nova's `expected_task_state=None`. */
  readonly expected: Expected
  /** Column values to set; `updated_at` is set too. */
  readonly changes: Readonly<Record<string, unknown>>
}

type AnyDb = UntypedExecutor

/**
 * The equivalent of Nova's `instance.save(expected_task_state=…)`: ONE conditional UPDATE that applies only if
 * the live row still holds an expected value in every named field. Atomic on every engine without row locks,
 * so of two racing writers exactly one wins; the loser gets UnexpectedStateError naming the field and what it
 * found (RowNotFound if the row is gone or soft-deleted). Returns the row as the update left it (RETURNING on
 * SQLite/PostgreSQL; on MySQL a read right after, exact inside a transaction), raw from the driver: convert
 * dates and booleans with `db.differences`. Pass a transaction as `executor` to make it part of one.
 */
export async function updateWithExpectedState(
  db: Database<unknown>,
  update: ExpectedStateUpdate,
  executor: AnyDb = db.kysely as AnyDb,
): Promise<Record<string, unknown>> {
  const { table, idColumn, id, expected, changes } = update
  let query = executor
    .updateTable(table)
    .set({ ...changes, updated_at: db.differences.toDbDate(new Date()) })
    .where(idColumn, '=', id)
    .where('deleted', '=', 0)
  for (const [field, values] of Object.entries(expected)) {
    const nonNull = values.filter((v): v is string | number => v !== null)
    const allowsNull = values.includes(null)
    query = query.where((eb) => {
      const ors = []
      if (nonNull.length > 0) ors.push(eb(field, 'in', nonNull))
      if (allowsNull) ors.push(eb(field, 'is', null))
      return ors.length === 0 ? sql<boolean>`1 = 0` : eb.or(ors)
    })
  }
  const readCurrent = async () =>
    (await executor
      .selectFrom(table)
      .selectAll()
      .where(idColumn, '=', id)
      .where('deleted', '=', 0)
      .executeTakeFirst()) as Record<string, unknown> | undefined
  if (db.differences.supportsReturning) {
    // The row exactly as this UPDATE left it, in the same statement.
    const updated = (await query.returningAll().executeTakeFirst()) as Record<string, unknown> | undefined
    if (updated !== undefined) return updated
  } else {
    const result = await query.executeTakeFirst()
    // MySQL: FOUND_ROWS makes this count matched rows; updated_at always changes anyway.
    if (Number(result.numUpdatedRows) > 0) {
      const after = await readCurrent()
      if (after !== undefined) return after
      throw new RowNotFound({ table, id: String(id) })
    }
  }
  const current = await readCurrent()
  if (current === undefined) throw new RowNotFound({ table, id: String(id) })
  for (const [field, values] of Object.entries(expected)) {
    const actual = (current as Record<string, unknown>)[field] ?? null
    if (!values.includes(actual as string | number | null)) {
      throw new UnexpectedStateError({ table, id: String(id), field, expected: values, actual })
    }
  }
  // The row matched by the time we read it: another writer moved it in and out between our two statements.
  throw new UnexpectedStateError({
    table,
    id: String(id),
    field: Object.keys(expected)[0] ?? 'state',
    expected: Object.values(expected)[0],
    actual: 'changed concurrently',
  })
}

/**
 * Nova's soft delete: marks a live row deleted (`deleted` = its id, so unique keys that include `deleted` free
 * up) and stamps `deleted_at`. Returns false when no live row had that id.
 */
export async function softDelete(
  db: Database<unknown>,
  table: string,
  id: number,
  executor: AnyDb = db.kysely as AnyDb,
): Promise<boolean> {
  const now = db.differences.toDbDate(new Date())
  const result = await executor
    .updateTable(table)
    .set({ deleted: sql.ref('id'), deleted_at: now, updated_at: now })
    .where('id', '=', id)
    .where('deleted', '=', 0)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/**
 * Runs `fn` in a transaction (committed when it resolves, rolled back when it throws), retrying the whole
 * transaction up to `attempts` times in all, after a short random back-off, when the engine reports a deadlock
 * or serialisation failure (PG 40001/40P01, MySQL 1213/1205, SQLite BUSY). `fn` must therefore be safe to
 * run again. Any other error, or the last retryable one, is rethrown as is. `options.isolation` sets the
 * transaction's isolation level on PostgreSQL and MySQL (placement's allocation writes use READ COMMITTED, so a
 * writer that waited for a row lock then reads what the winner committed); SQLite ignores it.
 */
export async function withTransaction<T>(
  db: Database<unknown>,
  fn: (trx: AnyDb) => Promise<T>,
  attempts = 3,
  options: { readonly isolation?: 'read committed' | 'repeatable read' | 'serializable' } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      // SQLite has one writer at a time and ignores the level; PostgreSQL and MySQL honour it.
      const begin = (db.kysely as UntypedKysely).transaction()
      return await (
        options.isolation === undefined ? begin : begin.setIsolationLevel(options.isolation)
      ).execute(fn)
    } catch (error) {
      if (attempt >= attempts || !db.differences.isRetryableConflict(error)) throw error
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt))
    }
  }
}
