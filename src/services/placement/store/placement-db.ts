import type { Database } from '../../../db/index.js'
import type { UntypedExecutor, UntypedKysely } from '../../../db/untyped.js'
import { withTransaction } from '../../../db/index.js'
import { generationConflict } from '../errors.js'

/** The database handle placement's stores share, with the helpers every write needs. */
export interface PlacementDb {
  readonly db: Database<unknown>
  readonly k: UntypedKysely
  now(): Date | string
  /**
   * A write transaction at READ COMMITTED (so a writer that waited for a provider row lock then sees what the
   * winner committed, on MySQL as on PostgreSQL), retried on deadlock. It ends by moving `placement_version` on.
   */
  write<T>(fn: (trx: UntypedExecutor) => Promise<T>): Promise<T>
  /** Moves on after every write this process commits (readers in this process need no query to notice). */
  localWrites(): number
}

export function placementDb(db: Database<unknown>): PlacementDb {
  const d = db.differences
  let writes = 0
  return {
    localWrites: () => writes,
    db,
    k: db.kysely as UntypedKysely,
    now: () => d.toDbDate(new Date()),
    write: (fn) =>
      withTransaction(
        db,
        async (trx) => {
          const result = await fn(trx)
          // Last, so the row is locked only for the commit: every reader's snapshot cache sees the change.
          await trx
            .updateTable('placement_version')
            .set((eb) => ({ version: eb('version', '+', 1) }))
            .where('id', '=', 1)
            .execute()
          return result
        },
        5,
        { isolation: 'read committed' },
      ).finally(() => writes++),
  }
}

/**
 * Moves a provider to its next generation if it is still at `expected` (any generation when undefined);
 * the UPDATE also takes the provider's row lock until the transaction ends, which serialises writers of one
 * provider. Returns the new generation; a stale `expected` is 409 placement.concurrent_update.
 */
export async function bumpGeneration(
  trx: UntypedExecutor,
  providerId: number,
  expected: number | undefined,
  what = 'resource provider',
): Promise<number> {
  let query = trx
    .updateTable('resource_providers')
    .set((eb) => ({ generation: eb('generation', '+', 1) }))
    .where('id', '=', providerId)
  if (expected !== undefined) query = query.where('generation', '=', expected)
  const result = await query.executeTakeFirst()
  if (Number(result.numUpdatedRows) === 0) throw generationConflict(what)
  const row = (await trx
    .selectFrom('resource_providers')
    .select('generation')
    .where('id', '=', providerId)
    .executeTakeFirstOrThrow()) as { generation: unknown }
  return Number(row.generation)
}
