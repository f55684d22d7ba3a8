import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { openDatabase, syncSchema, type ApiSchema, type MainSchema } from '../../src/db/index.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

// Every column of every typed table, spelled out. `cols<Table>()` refuses (at compile time) an unknown column
// and demands the missing ones, so these lists always equal the row types of MainSchema/ApiSchema; the test
// then checks the migrated database has exactly those columns. A migration that forgets the row types (or
// the reverse) fails here.
const cols =
  <T>() =>
  <const K extends readonly (keyof T & string)[]>(
    keys: K,
    ..._missing: [Exclude<keyof T, K[number]>] extends [never] ? [] : [missing: Exclude<keyof T, K[number]>]
  ): readonly string[] =>
    keys

const TIMESTAMPS = ['created_at', 'updated_at'] as const
const SOFT = [...TIMESTAMPS, 'deleted_at', 'deleted'] as const
const CHILD = [...SOFT, 'id', 'instance_uuid'] as const

const services = cols<MainSchema['services']>()([
  ...SOFT,
  ...(['id', 'uuid', 'host', 'binary', 'topic', 'report_count', 'disabled', 'disabled_reason'] as const),
  ...(['last_seen_up', 'forced_down', 'version'] as const),
])
const computeNodes = cols<MainSchema['compute_nodes']>()([
  ...SOFT,
  ...([
    'id',
    'uuid',
    'service_id',
    'host',
    'hypervisor_hostname',
    'hypervisor_type',
    'hypervisor_version',
  ] as const),
  ...([
    'vcpus',
    'memory_mb',
    'local_gb',
    'vcpus_used',
    'memory_mb_used',
    'local_gb_used',
    'free_ram_mb',
  ] as const),
  ...([
    'free_disk_gb',
    'current_workload',
    'running_vms',
    'disk_available_least',
    'host_ip',
    'cpu_info',
  ] as const),
  ...(['supported_instances', 'stats', 'cpu_allocation_ratio', 'ram_allocation_ratio'] as const),
  ...(['disk_allocation_ratio', 'mapped'] as const),
])
const instances = cols<MainSchema['instances']>()([
  ...SOFT,
  ...([
    'id',
    'uuid',
    'user_id',
    'project_id',
    'display_name',
    'display_description',
    'hostname',
    'host',
  ] as const),
  ...([
    'node',
    'launched_on',
    'vm_state',
    'task_state',
    'power_state',
    'memory_mb',
    'vcpus',
    'root_gb',
  ] as const),
  ...([
    'ephemeral_gb',
    'instance_type_id',
    'image_ref',
    'kernel_id',
    'ramdisk_id',
    'key_name',
    'key_data',
  ] as const),
  ...([
    'user_data',
    'reservation_id',
    'launch_index',
    'launched_at',
    'terminated_at',
    'scheduled_at',
  ] as const),
  ...(['availability_zone', 'locked', 'locked_by', 'os_type', 'architecture', 'vm_mode'] as const),
  ...([
    'root_device_name',
    'config_drive',
    'access_ip_v4',
    'access_ip_v6',
    'auto_disk_config',
    'progress',
  ] as const),
  ...(['shutdown_terminate', 'disable_terminate', 'cleaned', 'hidden', 'compute_id'] as const),
])
const metadata = cols<MainSchema['instance_metadata']>()([...CHILD, 'key', 'value'])
const systemMetadata = cols<MainSchema['instance_system_metadata']>()([...CHILD, 'key', 'value'])
const faults = cols<MainSchema['instance_faults']>()([...CHILD, 'code', 'message', 'details', 'host'])
const infoCaches = cols<MainSchema['instance_info_caches']>()([...CHILD, 'network_info'])
const extra = cols<MainSchema['instance_extra']>()([
  ...CHILD,
  ...([
    'device_metadata',
    'numa_topology',
    'pci_requests',
    'flavor',
    'vcpu_model',
    'migration_context',
  ] as const),
  ...(['keypairs', 'trusted_certs', 'resources'] as const),
])
const actions = cols<MainSchema['instance_actions']>()([
  ...CHILD,
  ...(['action', 'request_id', 'user_id', 'project_id', 'start_time', 'finish_time', 'message'] as const),
])
const events = cols<MainSchema['instance_actions_events']>()([
  ...SOFT,
  ...([
    'id',
    'action_id',
    'event',
    'result',
    'traceback',
    'start_time',
    'finish_time',
    'host',
    'details',
  ] as const),
])

const blockDevices = cols<MainSchema['block_device_mapping']>()([
  ...CHILD,
  ...([
    'uuid',
    'device_name',
    'delete_on_termination',
    'snapshot_id',
    'volume_id',
    'volume_size',
    'volume_type',
    'image_id',
    'no_device',
    'connection_info',
    'source_type',
    'destination_type',
    'guest_format',
    'device_type',
    'disk_bus',
    'boot_index',
    'tag',
    'attachment_id',
  ] as const),
  ...(['encrypted', 'encryption_secret_uuid', 'encryption_format', 'encryption_options'] as const),
])
const migrations = cols<MainSchema['migrations']>()([
  ...CHILD,
  ...([
    'uuid',
    'source_compute',
    'dest_compute',
    'source_node',
    'dest_node',
    'dest_host',
    'old_instance_type_id',
    'new_instance_type_id',
    'status',
    'migration_type',
    'hidden',
  ] as const),
  ...([
    'memory_total',
    'memory_processed',
    'memory_remaining',
    'disk_total',
    'disk_processed',
    'disk_remaining',
    'cross_cell_move',
    'user_id',
    'project_id',
  ] as const),
])

const LIVE = {
  services,
  compute_nodes: computeNodes,
  instances,
  instance_metadata: metadata,
  instance_system_metadata: systemMetadata,
  instance_faults: faults,
  instance_info_caches: infoCaches,
  instance_extra: extra,
  instance_actions: actions,
  instance_actions_events: events,
  block_device_mapping: blockDevices,
  migrations,
}
const MAIN: { readonly [T in keyof MainSchema]: readonly string[] } = {
  ...LIVE,
  tags: cols<MainSchema['tags']>()([...TIMESTAMPS, 'resource_id', 'tag']),
  ...(Object.fromEntries(Object.entries(LIVE).map(([t, c]) => [`shadow_${t}`, c])) as {
    [T in keyof typeof LIVE as `shadow_${T}`]: readonly string[]
  }),
}

const API: { readonly [T in keyof ApiSchema]: readonly string[] } = {
  cell_mappings: cols<ApiSchema['cell_mappings']>()([
    ...TIMESTAMPS,
    ...(['id', 'uuid', 'name', 'transport_url', 'database_connection', 'disabled'] as const),
  ]),
  host_mappings: cols<ApiSchema['host_mappings']>()([...TIMESTAMPS, 'id', 'cell_id', 'host']),
  instance_mappings: cols<ApiSchema['instance_mappings']>()([
    ...TIMESTAMPS,
    ...(['id', 'instance_uuid', 'cell_id', 'project_id', 'user_id', 'queued_for_delete'] as const),
  ]),
  request_specs: cols<ApiSchema['request_specs']>()([...TIMESTAMPS, 'id', 'instance_uuid', 'spec']),
  build_requests: cols<ApiSchema['build_requests']>()([
    ...TIMESTAMPS,
    ...(['id', 'instance_uuid', 'project_id', 'instance', 'block_device_mappings', 'tags'] as const),
  ]),
  aggregates: cols<ApiSchema['aggregates']>()([...TIMESTAMPS, 'id', 'uuid', 'name']),
  aggregate_hosts: cols<ApiSchema['aggregate_hosts']>()([...TIMESTAMPS, 'id', 'host', 'aggregate_id']),
  aggregate_metadata: cols<ApiSchema['aggregate_metadata']>()([
    ...TIMESTAMPS,
    'id',
    'aggregate_id',
    'key',
    'value',
  ]),
  flavors: cols<ApiSchema['flavors']>()([
    ...TIMESTAMPS,
    ...([
      'id',
      'name',
      'memory_mb',
      'vcpus',
      'root_gb',
      'ephemeral_gb',
      'flavorid',
      'swap',
      'rxtx_factor',
      'vcpu_weight',
      'disabled',
      'is_public',
      'description',
    ] as const),
  ]),
  flavor_extra_specs: cols<ApiSchema['flavor_extra_specs']>()([
    ...TIMESTAMPS,
    'id',
    'flavor_id',
    'key',
    'value',
  ]),
  flavor_projects: cols<ApiSchema['flavor_projects']>()([...TIMESTAMPS, 'id', 'flavor_id', 'project_id']),
  key_pairs: cols<ApiSchema['key_pairs']>()([
    ...TIMESTAMPS,
    ...(['id', 'name', 'user_id', 'fingerprint', 'public_key', 'type'] as const),
  ]),
  instance_groups: cols<ApiSchema['instance_groups']>()([
    ...TIMESTAMPS,
    ...(['id', 'uuid', 'name', 'user_id', 'project_id'] as const),
  ]),
  instance_group_policy: cols<ApiSchema['instance_group_policy']>()([
    ...TIMESTAMPS,
    'id',
    'group_id',
    'policy',
    'rules',
  ]),
  instance_group_member: cols<ApiSchema['instance_group_member']>()([
    ...TIMESTAMPS,
    'id',
    'group_id',
    'instance_uuid',
  ]),
  quotas: cols<ApiSchema['quotas']>()([...TIMESTAMPS, 'id', 'project_id', 'resource', 'hard_limit']),
  project_user_quotas: cols<ApiSchema['project_user_quotas']>()([
    ...TIMESTAMPS,
    ...(['id', 'project_id', 'user_id', 'resource', 'hard_limit'] as const),
  ]),
  quota_classes: cols<ApiSchema['quota_classes']>()([
    ...TIMESTAMPS,
    'id',
    'class_name',
    'resource',
    'hard_limit',
  ]),
  quota_locks: cols<ApiSchema['quota_locks']>()([...TIMESTAMPS, 'id', 'project_id', 'generation']),
}

for (const backend of await databaseBackends()) {
  describe(`[db:${backend.name}] schema row types match the migrations`, { skip: backend.skip }, () => {
    it('every table of MainSchema and ApiSchema exists with exactly the typed columns', async () => {
      await withTestDatabase(backend, async (url) => {
        const db = await openDatabase(url)
        try {
          await syncSchema(db, 'main')
          await syncSchema(db, 'api')
          const actual = new Map(
            (await db.kysely.introspection.getTables()).map((t) => [
              t.name,
              t.columns.map((c) => c.name).sort(),
            ]),
          )
          for (const [table, columns] of Object.entries({ ...MAIN, ...API })) {
            assert.deepEqual(actual.get(table), [...columns].sort(), table)
          }
          const soft = Object.keys(LIVE)
          const shadows = [...actual.keys()].filter((t) => t.startsWith('shadow_')).sort()
          assert.deepEqual(
            shadows,
            soft.map((t) => `shadow_${t}`).sort(),
            'a shadow twin for every soft-deleting table',
          )
        } finally {
          await db.close()
        }
      })
    })
  })
}
