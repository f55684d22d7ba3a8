import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// The compute API's own resources in the API database, with Nova's columns: flavors (+ extra specs and
// project access), key pairs, server groups, and quota limits (per project, per user, per class).

const TABLES: readonly TableSpec[] = [
  {
    name: 'flavors',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'name', kind: 'string(255)', notNull: true },
      { name: 'memory_mb', kind: 'int', notNull: true },
      { name: 'vcpus', kind: 'int', notNull: true },
      { name: 'root_gb', kind: 'int' },
      { name: 'ephemeral_gb', kind: 'int' },
      { name: 'flavorid', kind: 'string(255)', notNull: true },
      { name: 'swap', kind: 'int', notNull: true, default: 0 },
      { name: 'rxtx_factor', kind: 'float', default: 1 },
      { name: 'vcpu_weight', kind: 'int' },
      { name: 'disabled', kind: 'bool', default: 0 },
      { name: 'is_public', kind: 'bool', default: 1 },
      { name: 'description', kind: 'text' },
    ],
    unique: [['name'], ['flavorid']],
    softDelete: false,
  },
  {
    name: 'flavor_extra_specs',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'flavor_id', kind: 'int', notNull: true },
      { name: 'key', kind: 'string(255)', notNull: true },
      { name: 'value', kind: 'string(255)' },
    ],
    unique: [['flavor_id', 'key']],
    foreignKeys: [{ columns: ['flavor_id'], references: 'flavors', on: ['id'] }],
    softDelete: false,
  },
  {
    name: 'flavor_projects',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'flavor_id', kind: 'int', notNull: true },
      { name: 'project_id', kind: 'string(255)', notNull: true },
    ],
    unique: [['flavor_id', 'project_id']],
    foreignKeys: [{ columns: ['flavor_id'], references: 'flavors', on: ['id'] }],
    softDelete: false,
  },
  {
    name: 'key_pairs',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'name', kind: 'string(255)', notNull: true },
      { name: 'user_id', kind: 'string(255)', notNull: true },
      { name: 'fingerprint', kind: 'string(255)' },
      { name: 'public_key', kind: 'text' },
      { name: 'type', kind: 'string(10)', notNull: true, default: "'ssh'" },
    ],
    unique: [['user_id', 'name']],
    softDelete: false,
  },
  {
    name: 'instance_groups',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'uuid', kind: 'string(36)', notNull: true },
      { name: 'name', kind: 'string(255)' },
      { name: 'user_id', kind: 'string(255)' },
      { name: 'project_id', kind: 'string(255)' },
    ],
    unique: [['uuid']],
    indexes: [['project_id']],
    softDelete: false,
  },
  {
    name: 'instance_group_policy',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'group_id', kind: 'int', notNull: true },
      { name: 'policy', kind: 'string(255)' },
      { name: 'rules', kind: 'text' },
    ],
    indexes: [['group_id']],
    foreignKeys: [{ columns: ['group_id'], references: 'instance_groups', on: ['id'] }],
    softDelete: false,
  },
  {
    name: 'instance_group_member',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'group_id', kind: 'int', notNull: true },
      { name: 'instance_uuid', kind: 'string(255)', notNull: true },
    ],
    unique: [['group_id', 'instance_uuid']],
    indexes: [['instance_uuid']],
    foreignKeys: [{ columns: ['group_id'], references: 'instance_groups', on: ['id'] }],
    softDelete: false,
  },
  {
    name: 'quotas',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'project_id', kind: 'string(255)', notNull: true },
      { name: 'resource', kind: 'string(255)', notNull: true },
      { name: 'hard_limit', kind: 'int' },
    ],
    unique: [['project_id', 'resource']],
    softDelete: false,
  },
  {
    name: 'project_user_quotas',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'project_id', kind: 'string(255)', notNull: true },
      { name: 'user_id', kind: 'string(255)', notNull: true },
      { name: 'resource', kind: 'string(255)', notNull: true },
      { name: 'hard_limit', kind: 'int' },
    ],
    unique: [['user_id', 'project_id', 'resource']],
    softDelete: false,
  },
  {
    name: 'quota_classes',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'class_name', kind: 'string(255)', notNull: true },
      { name: 'resource', kind: 'string(255)', notNull: true },
      { name: 'hard_limit', kind: 'int' },
    ],
    unique: [['class_name', 'resource']],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
  },
})
