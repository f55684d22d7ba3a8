import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// The image service's records (Glance v2's model), in the API database; image data lives in the file store.

const TABLES: readonly TableSpec[] = [
  {
    name: 'images',
    columns: [
      { name: 'id', kind: 'string(36)', notNull: true },
      { name: 'name', kind: 'string(255)' },
      { name: 'owner', kind: 'string(255)' },
      { name: 'status', kind: 'string(30)', notNull: true },
      { name: 'visibility', kind: 'string(9)', notNull: true },
      { name: 'protected', kind: 'bool', notNull: true, default: 0 },
      { name: 'os_hidden', kind: 'bool', notNull: true, default: 0 },
      { name: 'disk_format', kind: 'string(20)' },
      { name: 'container_format', kind: 'string(20)' },
      { name: 'size', kind: 'bigint' },
      { name: 'virtual_size', kind: 'bigint' },
      { name: 'checksum', kind: 'string(32)' },
      { name: 'os_hash_algo', kind: 'string(64)' },
      { name: 'os_hash_value', kind: 'string(128)' },
      { name: 'min_disk', kind: 'int', notNull: true, default: 0 },
      { name: 'min_ram', kind: 'int', notNull: true, default: 0 },
    ],
    primaryKey: ['id'],
    indexes: [['owner'], ['visibility'], ['status']],
    softDelete: false,
  },
  {
    name: 'image_properties',
    columns: [
      { name: 'image_id', kind: 'string(36)', notNull: true },
      { name: 'name', kind: 'string(255)', notNull: true },
      { name: 'value', kind: 'text' },
    ],
    primaryKey: ['image_id', 'name'],
    softDelete: false,
  },
  {
    name: 'image_tags',
    columns: [
      { name: 'image_id', kind: 'string(36)', notNull: true },
      { name: 'value', kind: 'string(255)', notNull: true },
    ],
    primaryKey: ['image_id', 'value'],
    softDelete: false,
  },
  {
    name: 'image_members',
    columns: [
      { name: 'image_id', kind: 'string(36)', notNull: true },
      { name: 'member', kind: 'string(255)', notNull: true },
      { name: 'status', kind: 'string(20)', notNull: true },
    ],
    primaryKey: ['image_id', 'member'],
    indexes: [['member']],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
  },
})
