import type { UntypedKysely } from '../untyped.js'
import type { SqlDifferences } from '../sql-differences.js'
import { migration as api0001 } from './api/0001-initial.js'
import { migration as api0002 } from './api/0002-identity.js'
import { migration as api0003 } from './api/0003-identity-credentials.js'
import { migration as api0004 } from './api/0004-images.js'
import { migration as api0005 } from './api/0005-placement.js'
import { migration as api0006 } from './api/0006-aggregates.js'
import { migration as api0007 } from './api/0007-compute-resources.js'
import { migration as api0008 } from './api/0008-quota-locks.js'
import { migration as main0001 } from './main/0001-initial.js'
import { migration as main0002 } from './main/0002-disks-moves-tags.js'

export type SchemaKind = 'main' | 'api'
type MigrationFactory = (d: SqlDifferences) => { up(db: UntypedKysely): Promise<void> }

/**
 * Every migration of each database, in order; the schema version is the number of those applied.
 * Adding one: a new numbered file in main/ or api/ and one line here. Released migrations never change.
 */
export const MIGRATIONS: Readonly<Record<SchemaKind, readonly (readonly [string, MigrationFactory])[]>> = {
  main: [
    ['0001-initial', main0001],
    ['0002-disks-moves-tags', main0002],
  ],
  api: [
    ['0001-initial', api0001],
    ['0002-identity', api0002],
    ['0003-identity-credentials', api0003],
    ['0004-images', api0004],
    ['0005-placement', api0005],
    ['0006-aggregates', api0006],
    ['0007-compute-resources', api0007],
    ['0008-quota-locks', api0008],
  ],
}
