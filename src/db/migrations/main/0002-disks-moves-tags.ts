import type { UntypedKysely } from '../../untyped.js'
import type { SqlDifferences } from '../../sql-differences.js'
import { createTable, type TableSpec } from '../table-builder.js'

// The cell database's block device mappings (an instance's disks: image, volume, blank, swap), migrations
// (cold/live moves, resizes, evacuations) and server tags, with Nova's columns. The first two are soft-deleted
// children of an instance and archived with it; tags are hard-deleted with their server.

const TABLES: readonly TableSpec[] = [
  {
    name: 'block_device_mapping',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'instance_uuid', kind: 'string(36)', notNull: true },
      { name: 'uuid', kind: 'string(36)' },
      { name: 'device_name', kind: 'string(255)' },
      { name: 'delete_on_termination', kind: 'bool', default: 0 },
      { name: 'snapshot_id', kind: 'string(36)' },
      { name: 'volume_id', kind: 'string(36)' },
      { name: 'volume_size', kind: 'int' },
      { name: 'volume_type', kind: 'string(255)' },
      { name: 'image_id', kind: 'string(36)' },
      { name: 'no_device', kind: 'bool' },
      { name: 'connection_info', kind: 'longtext' },
      { name: 'source_type', kind: 'string(255)' },
      { name: 'destination_type', kind: 'string(255)' },
      { name: 'guest_format', kind: 'string(255)' },
      { name: 'device_type', kind: 'string(255)' },
      { name: 'disk_bus', kind: 'string(255)' },
      { name: 'boot_index', kind: 'int' },
      { name: 'tag', kind: 'string(255)' },
      { name: 'attachment_id', kind: 'string(36)' },
      { name: 'encrypted', kind: 'bool', default: 0 },
      { name: 'encryption_secret_uuid', kind: 'string(36)' },
      { name: 'encryption_format', kind: 'string(128)' },
      { name: 'encryption_options', kind: 'string(4096)' },
    ],
    foreignKeys: [{ columns: ['instance_uuid'], references: 'instances', on: ['uuid'] }],
    indexes: [['instance_uuid'], ['volume_id'], ['uuid']],
    softDelete: true,
  },
  {
    name: 'migrations',
    columns: [
      { name: 'id', kind: 'id' },
      { name: 'uuid', kind: 'string(36)' },
      { name: 'instance_uuid', kind: 'string(36)' },
      { name: 'source_compute', kind: 'string(255)' },
      { name: 'dest_compute', kind: 'string(255)' },
      { name: 'source_node', kind: 'string(255)' },
      { name: 'dest_node', kind: 'string(255)' },
      { name: 'dest_host', kind: 'string(255)' },
      { name: 'old_instance_type_id', kind: 'int' },
      { name: 'new_instance_type_id', kind: 'int' },
      { name: 'status', kind: 'string(255)' },
      { name: 'migration_type', kind: 'string(255)' },
      { name: 'hidden', kind: 'bool', default: 0 },
      { name: 'memory_total', kind: 'bigint' },
      { name: 'memory_processed', kind: 'bigint' },
      { name: 'memory_remaining', kind: 'bigint' },
      { name: 'disk_total', kind: 'bigint' },
      { name: 'disk_processed', kind: 'bigint' },
      { name: 'disk_remaining', kind: 'bigint' },
      { name: 'cross_cell_move', kind: 'bool', default: 0 },
      { name: 'user_id', kind: 'string(255)' },
      { name: 'project_id', kind: 'string(255)' },
    ],
    foreignKeys: [{ columns: ['instance_uuid'], references: 'instances', on: ['uuid'] }],
    indexes: [
      ['instance_uuid', 'status'],
      ['uuid'],
      ['source_compute', 'status'],
      ['dest_compute', 'status'],
    ],
    softDelete: true,
  },
  {
    name: 'tags',
    columns: [
      { name: 'resource_id', kind: 'string(36)', notNull: true },
      { name: 'tag', kind: 'string(80)', notNull: true },
    ],
    primaryKey: ['resource_id', 'tag'],
    indexes: [['tag']],
    softDelete: false,
  },
]

export const migration = (d: SqlDifferences) => ({
  async up(db: UntypedKysely): Promise<void> {
    for (const table of TABLES) await createTable(db, d, table)
  },
})
