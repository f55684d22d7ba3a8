import type { Database } from '../../../db/index.js'
import type { UntypedExecutor, UntypedKysely } from '../../../db/untyped.js'
import type { SqlDifferences } from '../../../db/sql-differences.js'
import { IdentityDuplicate } from '../../../common/errors/index.js'

/** What every identity store needs: the API database and its engine's differences. */
export interface IdentityDb {
  readonly k: UntypedKysely
  readonly d: SqlDifferences
  readonly db: Database<unknown>
}

export function identityDb(db: Database<unknown>): IdentityDb {
  return { k: db.kysely as UntypedKysely, d: db.differences, db }
}

/** Runs an insert, turning a unique-constraint violation into IdentityDuplicate (409). */
export async function insertUnique(
  idb: IdentityDb,
  entity: string,
  detail: string,
  insert: (k: UntypedExecutor) => Promise<unknown>,
): Promise<void> {
  try {
    await insert(idb.k)
  } catch (error) {
    if (idb.d.isUniqueViolation(error)) throw new IdentityDuplicate({ entity, detail })
    throw error
  }
}
