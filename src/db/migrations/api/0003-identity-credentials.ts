import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// Application credentials and EC2 credentials (Keystone's application_credential and credential tables), and
// revocation of the tokens made from an application credential.

const id = (name = 'id') => ({ name, kind: 'string(64)' as const, notNull: true })

const TABLES: readonly TableSpec[] = [
  {
    name: 'identity_app_credentials',
    columns: [
      id(),
      { name: 'name', kind: 'string(255)', notNull: true },
      id('user_id'),
      id('project_id'),
      { name: 'secret_hash', kind: 'string(255)', notNull: true },
      { name: 'description', kind: 'text' },
      { name: 'expires_at', kind: 'datetime' },
      { name: 'unrestricted', kind: 'bool', notNull: true, default: 0 },
      { name: 'roles', kind: 'text', notNull: true },
    ],
    primaryKey: ['id'],
    unique: [['user_id', 'name']],
    softDelete: false,
  },
  {
    name: 'identity_credentials',
    columns: [
      id(),
      id('user_id'),
      { name: 'project_id', kind: 'string(64)' },
      { name: 'type', kind: 'string(255)', notNull: true },
      { name: 'blob', kind: 'text', notNull: true },
    ],
    primaryKey: ['id'],
    indexes: [['user_id']],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
    await db.schema.alterTable('identity_revocations').addColumn('app_cred_id', 'varchar(64)').execute()
  },
})
