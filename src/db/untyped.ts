import type { Kysely, Transaction } from 'kysely'

/**
 * A kysely handle without a static schema, for the generic code that works on any table (migrations,
 * archive, expected-state updates). Repositories type their rows at their own boundary.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UntypedKysely = Kysely<any>
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UntypedExecutor = Kysely<any> | Transaction<any>
