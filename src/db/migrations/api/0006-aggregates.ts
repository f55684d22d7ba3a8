import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// Host aggregates (Nova's API database): the scheduler reads them for availability zones, tenant isolation and
// per-aggregate filter settings; os-aggregates manages them. An aggregate's uuid is also the uuid of the
// placement aggregate its hosts' providers are put in.

const TABLES: readonly TableSpec[] = [
  {
    name: 'aggregates',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'uuid', kind: 'string(36)', notNull: true },
      { name: 'name', kind: 'string(255)', notNull: true },
    ],
    unique: [['uuid'], ['name']],
    softDelete: false,
  },
  {
    name: 'aggregate_hosts',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'host', kind: 'string(255)', notNull: true },
      { name: 'aggregate_id', kind: 'int', notNull: true },
    ],
    unique: [['host', 'aggregate_id']],
    foreignKeys: [{ columns: ['aggregate_id'], references: 'aggregates', on: ['id'] }],
    softDelete: false,
  },
  {
    name: 'aggregate_metadata',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'aggregate_id', kind: 'int', notNull: true },
      { name: 'key', kind: 'string(255)', notNull: true },
      { name: 'value', kind: 'string(255)', notNull: true },
    ],
    unique: [['aggregate_id', 'key']],
    indexes: [['key']],
    foreignKeys: [{ columns: ['aggregate_id'], references: 'aggregates', on: ['id'] }],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
  },
})
