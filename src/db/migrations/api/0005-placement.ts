import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// Placement's records, in the API database (`[placement_database]` unset), as Nova kept them before placement
// moved out. Resource classes are referenced by name (standard ones are not rows; custom ones are), aggregates
// by uuid, consumers carry their project and user ids directly. Hard-deleted, like every API table.

const TABLES: readonly TableSpec[] = [
  {
    name: 'resource_providers',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'uuid', kind: 'string(36)', notNull: true },
      { name: 'name', kind: 'string(200)', notNull: true },
      { name: 'generation', kind: 'int', notNull: true, default: 0 },
      { name: 'root_provider_id', kind: 'int' },
      { name: 'parent_provider_id', kind: 'int' },
    ],
    unique: [['uuid'], ['name']],
    indexes: [['root_provider_id'], ['parent_provider_id']],
    softDelete: false,
  },
  {
    name: 'inventories',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'resource_provider_id', kind: 'int', notNull: true },
      { name: 'resource_class', kind: 'string(255)', notNull: true },
      { name: 'total', kind: 'bigint', notNull: true },
      { name: 'reserved', kind: 'bigint', notNull: true },
      { name: 'min_unit', kind: 'bigint', notNull: true },
      { name: 'max_unit', kind: 'bigint', notNull: true },
      { name: 'step_size', kind: 'bigint', notNull: true },
      { name: 'allocation_ratio', kind: 'float', notNull: true },
    ],
    unique: [['resource_provider_id', 'resource_class']],
    indexes: [['resource_class']],
    softDelete: false,
  },
  {
    name: 'allocations',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'resource_provider_id', kind: 'int', notNull: true },
      { name: 'consumer_id', kind: 'string(36)', notNull: true },
      { name: 'resource_class', kind: 'string(255)', notNull: true },
      { name: 'used', kind: 'bigint', notNull: true },
    ],
    unique: [['consumer_id', 'resource_provider_id', 'resource_class']],
    indexes: [['resource_provider_id', 'resource_class']],
    softDelete: false,
  },
  {
    name: 'consumers',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'uuid', kind: 'string(36)', notNull: true },
      { name: 'project_id', kind: 'string(255)', notNull: true },
      { name: 'user_id', kind: 'string(255)', notNull: true },
      { name: 'generation', kind: 'int', notNull: true, default: 0 },
      { name: 'consumer_type', kind: 'string(255)' },
    ],
    unique: [['uuid']],
    indexes: [['project_id', 'user_id']],
    softDelete: false,
  },
  {
    name: 'resource_classes',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'name', kind: 'string(255)', notNull: true },
    ],
    unique: [['name']],
    softDelete: false,
  },
  {
    name: 'traits',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'name', kind: 'string(255)', notNull: true },
    ],
    unique: [['name']],
    softDelete: false,
  },
  {
    name: 'resource_provider_traits',
    columns: [
      { name: 'resource_provider_id', kind: 'int', notNull: true },
      { name: 'trait_id', kind: 'int', notNull: true },
    ],
    primaryKey: ['resource_provider_id', 'trait_id'],
    indexes: [['trait_id']],
    softDelete: false,
  },
  {
    name: 'resource_provider_aggregates',
    columns: [
      { name: 'resource_provider_id', kind: 'int', notNull: true },
      { name: 'aggregate_uuid', kind: 'string(36)', notNull: true },
    ],
    primaryKey: ['resource_provider_id', 'aggregate_uuid'],
    indexes: [['aggregate_uuid']],
    softDelete: false,
  },
  {
    // One row whose version moves on with every placement write: readers keep an in-memory snapshot and
    // reload only what changed when it moves.
    name: 'placement_version',
    columns: [
      { name: 'id', kind: 'int', notNull: true },
      { name: 'version', kind: 'bigint', notNull: true, default: 0 },
    ],
    primaryKey: ['id'],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
    await db.insertInto('placement_version').values({ id: 1, version: 0 }).execute()
  },
})
