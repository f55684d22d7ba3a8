import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable } from '../table-builder.js'

// One row per project, locked (UPDATE … WHERE project_id) by the transaction that counts a project's usage
// and records new instances, so concurrent creates of one project are serialised and never overshoot quota.

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    await createTable(db, d, {
      name: 'quota_locks',
      columns: [
        { name: 'id', kind: 'id' },
        { name: 'project_id', kind: 'string(255)', notNull: true },
        { name: 'generation', kind: 'int', notNull: true, default: 0 },
      ],
      unique: [['project_id']],
      softDelete: false,
    })
  },
})
