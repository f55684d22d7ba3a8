import { sql } from 'kysely'
import type { SqlDifferences } from './sql-differences.js'
import type { UntypedExecutor } from './untyped.js'

/**
 * Inserts one row into a table with an auto-increment `id` and returns the new id, on every engine
 * (`RETURNING id` on SQLite and PostgreSQL, the driver's insertId on MySQL). Errors (unique violations, …)
 * are the driver's; test them with `d.isUniqueViolation`.
 */
export async function insertReturningId(
  executor: UntypedExecutor,
  d: SqlDifferences,
  table: string,
  values: Readonly<Record<string, unknown>>,
): Promise<number> {
  const insert = executor.insertInto(table).values(values)
  if (d.insertedIdFrom === 'returning') {
    const row = (await insert.returning('id').executeTakeFirstOrThrow()) as { id: unknown }
    return Number(row.id)
  }
  const result = await insert.executeTakeFirstOrThrow()
  return Number(result.insertId)
}

export interface Upsert {
  readonly table: string
  readonly values: Readonly<Record<string, unknown>>
  /** The columns of the unique key that decides "already there" (needed by ON CONFLICT). */
  readonly conflict: readonly string[]
  /** Columns overwritten when the row exists (default: every column of `values` not in `conflict`). */
  readonly update?: readonly string[]
}

/**
 * Insert-or-update in one statement: `INSERT … ON CONFLICT (conflict) DO UPDATE` on SQLite/PostgreSQL,
 * `INSERT … ON DUPLICATE KEY UPDATE` on MySQL (which takes any unique key, so give tables one unique key that
 * `conflict` names). Atomic on each engine; a row with the key already there is updated in place.
 */
export async function upsert(executor: UntypedExecutor, d: SqlDifferences, spec: Upsert): Promise<void> {
  const columns = spec.update ?? Object.keys(spec.values).filter((c) => !spec.conflict.includes(c))
  const set = Object.fromEntries(columns.map((c) => [c, spec.values[c]]))
  const insert = executor.insertInto(spec.table).values(spec.values)
  if (columns.length === 0) {
    // Nothing to overwrite: "insert unless present".
    await (
      d.upsertStyle === 'on-conflict'
        ? insert.onConflict((oc) => oc.columns([...spec.conflict]).doNothing())
        : // A no-op assignment rather than INSERT IGNORE, which would also swallow unrelated errors.
          insert.onDuplicateKeyUpdate({ [spec.conflict[0]!]: sql.ref(spec.conflict[0]!) })
    ).execute()
    return
  }
  await (
    d.upsertStyle === 'on-conflict'
      ? insert.onConflict((oc) => oc.columns([...spec.conflict]).doUpdateSet(set))
      : insert.onDuplicateKeyUpdate(set)
  ).execute()
}
