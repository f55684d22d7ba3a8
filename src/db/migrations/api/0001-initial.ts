import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// The API database at its first release: cell/host/instance mappings, request specs and build requests.
// API-database tables are hard-deleted (no deleted columns), as in Nova.

const TABLES: readonly TableSpec[] = [
  {
    name: 'cell_mappings',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'uuid', kind: 'string(36)', notNull: true },
      { name: 'name', kind: 'string(255)' },
      { name: 'transport_url', kind: 'text', notNull: true },
      { name: 'database_connection', kind: 'text', notNull: true },
      { name: 'disabled', kind: 'bool', notNull: true, default: 0 },
    ],
    unique: [['uuid']],
    softDelete: false,
  },
  {
    name: 'host_mappings',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'cell_id', kind: 'int', notNull: true },
      { name: 'host', kind: 'string(255)', notNull: true },
    ],
    unique: [['host']],
    foreignKeys: [{ columns: ['cell_id'], references: 'cell_mappings', on: ['id'] }],
    softDelete: false,
  },
  {
    name: 'instance_mappings',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'instance_uuid', kind: 'string(36)', notNull: true },
      { name: 'cell_id', kind: 'int' },
      { name: 'project_id', kind: 'string(255)', notNull: true },
      { name: 'user_id', kind: 'string(255)' },
      { name: 'queued_for_delete', kind: 'bool', default: 0 },
    ],
    unique: [['instance_uuid']],
    indexes: [['project_id']],
    foreignKeys: [{ columns: ['cell_id'], references: 'cell_mappings', on: ['id'] }],
    softDelete: false,
  },
  {
    name: 'request_specs',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'instance_uuid', kind: 'string(36)', notNull: true },
      { name: 'spec', kind: 'longtext', notNull: true },
    ],
    unique: [['instance_uuid']],
    softDelete: false,
  },
  {
    name: 'build_requests',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'instance_uuid', kind: 'string(36)', notNull: true },
      { name: 'project_id', kind: 'string(255)', notNull: true },
      { name: 'instance', kind: 'longtext' },
      { name: 'block_device_mappings', kind: 'longtext' },
      { name: 'tags', kind: 'text' },
    ],
    unique: [['instance_uuid']],
    indexes: [['project_id']],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
  },
})
