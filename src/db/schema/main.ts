import type { Selectable } from 'kysely'
import type { Bool, DefaultedInt, Id, NullableBool, NullableTimestamp, SoftDelete } from './columns.js'

// Row types of the main (cell) database, as migrations/main leave it. A later migration that adds a table or
// column adds it here too; test/db/schema-types.test.ts fails when the two disagree.

export interface ServicesTable extends SoftDelete {
  id: Id
  uuid: string | null
  host: string | null
  binary: string | null
  topic: string | null
  report_count: DefaultedInt
  disabled: Bool
  disabled_reason: string | null
  last_seen_up: NullableTimestamp
  forced_down: Bool
  version: DefaultedInt
}

export interface ComputeNodesTable extends SoftDelete {
  id: Id
  uuid: string | null
  service_id: number | null
  host: string | null
  hypervisor_hostname: string | null
  hypervisor_type: string | null
  hypervisor_version: number | null
  vcpus: DefaultedInt
  memory_mb: DefaultedInt
  local_gb: DefaultedInt
  vcpus_used: DefaultedInt
  memory_mb_used: DefaultedInt
  local_gb_used: DefaultedInt
  free_ram_mb: number | null
  free_disk_gb: number | null
  current_workload: number | null
  running_vms: number | null
  disk_available_least: number | null
  host_ip: string | null
  cpu_info: string | null
  supported_instances: string | null
  stats: string | null
  cpu_allocation_ratio: number | null
  ram_allocation_ratio: number | null
  disk_allocation_ratio: number | null
  mapped: number | null
}

export interface InstancesTable extends SoftDelete {
  id: Id
  uuid: string
  user_id: string | null
  project_id: string | null
  display_name: string | null
  display_description: string | null
  hostname: string | null
  host: string | null
  node: string | null
  launched_on: string | null
  vm_state: string | null
  task_state: string | null
  power_state: number | null
  memory_mb: number | null
  vcpus: number | null
  root_gb: number | null
  ephemeral_gb: number | null
  instance_type_id: number | null
  image_ref: string | null
  kernel_id: string | null
  ramdisk_id: string | null
  key_name: string | null
  key_data: string | null
  user_data: string | null
  reservation_id: string | null
  launch_index: number | null
  launched_at: NullableTimestamp
  terminated_at: NullableTimestamp
  scheduled_at: NullableTimestamp
  availability_zone: string | null
  locked: NullableBool
  locked_by: string | null
  os_type: string | null
  architecture: string | null
  vm_mode: string | null
  root_device_name: string | null
  config_drive: string | null
  access_ip_v4: string | null
  access_ip_v6: string | null
  auto_disk_config: NullableBool
  progress: number | null
  shutdown_terminate: NullableBool
  disable_terminate: NullableBool
  cleaned: number | null
  hidden: NullableBool
  compute_id: number | null
}

/** The columns every instance child table starts with. */
interface InstanceChild extends SoftDelete {
  id: Id
  instance_uuid: string
}

export interface InstanceMetadataTable extends InstanceChild {
  key: string | null
  value: string | null
}

export interface InstanceSystemMetadataTable extends InstanceChild {
  key: string
  value: string | null
}

export interface InstanceFaultsTable extends InstanceChild {
  code: number
  message: string | null
  details: string | null
  host: string | null
}

export interface InstanceInfoCachesTable extends InstanceChild {
  network_info: string | null
}

export interface InstanceExtraTable extends InstanceChild {
  device_metadata: string | null
  numa_topology: string | null
  pci_requests: string | null
  flavor: string | null
  vcpu_model: string | null
  migration_context: string | null
  keypairs: string | null
  trusted_certs: string | null
  resources: string | null
}

export interface InstanceActionsTable extends InstanceChild {
  action: string | null
  request_id: string | null
  user_id: string | null
  project_id: string | null
  start_time: NullableTimestamp
  finish_time: NullableTimestamp
  message: string | null
}

export interface InstanceActionsEventsTable extends SoftDelete {
  id: Id
  action_id: number
  event: string | null
  result: string | null
  traceback: string | null
  start_time: NullableTimestamp
  finish_time: NullableTimestamp
  host: string | null
  details: string | null
}

/** The main (cell) database: live tables and their `shadow_` archive twins (same columns, ids kept). */
export interface BlockDeviceMappingTable extends SoftDelete {
  id: Id
  instance_uuid: string
  uuid: string | null
  device_name: string | null
  delete_on_termination: NullableBool
  snapshot_id: string | null
  volume_id: string | null
  volume_size: number | null
  volume_type: string | null
  image_id: string | null
  no_device: NullableBool
  connection_info: string | null
  source_type: string | null
  destination_type: string | null
  guest_format: string | null
  device_type: string | null
  disk_bus: string | null
  boot_index: number | null
  tag: string | null
  attachment_id: string | null
  encrypted: NullableBool
  encryption_secret_uuid: string | null
  encryption_format: string | null
  encryption_options: string | null
}

export interface MigrationsTable extends SoftDelete {
  id: Id
  uuid: string | null
  instance_uuid: string | null
  source_compute: string | null
  dest_compute: string | null
  source_node: string | null
  dest_node: string | null
  dest_host: string | null
  old_instance_type_id: number | null
  new_instance_type_id: number | null
  status: string | null
  migration_type: string | null
  hidden: NullableBool
  memory_total: number | null
  memory_processed: number | null
  memory_remaining: number | null
  disk_total: number | null
  disk_processed: number | null
  disk_remaining: number | null
  cross_cell_move: NullableBool
  user_id: string | null
  project_id: string | null
}

/** Server tags (hard-deleted, no shadow table). */
export interface TagsTable {
  resource_id: string
  tag: string
  created_at: NullableTimestamp
  updated_at: NullableTimestamp
}

export interface MainSchema {
  services: ServicesTable
  compute_nodes: ComputeNodesTable
  instances: InstancesTable
  instance_metadata: InstanceMetadataTable
  instance_system_metadata: InstanceSystemMetadataTable
  instance_faults: InstanceFaultsTable
  instance_info_caches: InstanceInfoCachesTable
  instance_extra: InstanceExtraTable
  instance_actions: InstanceActionsTable
  instance_actions_events: InstanceActionsEventsTable
  block_device_mapping: BlockDeviceMappingTable
  migrations: MigrationsTable
  tags: TagsTable
  shadow_services: ServicesTable
  shadow_compute_nodes: ComputeNodesTable
  shadow_instances: InstancesTable
  shadow_instance_metadata: InstanceMetadataTable
  shadow_instance_system_metadata: InstanceSystemMetadataTable
  shadow_instance_faults: InstanceFaultsTable
  shadow_instance_info_caches: InstanceInfoCachesTable
  shadow_instance_extra: InstanceExtraTable
  shadow_instance_actions: InstanceActionsTable
  shadow_instance_actions_events: InstanceActionsEventsTable
  shadow_block_device_mapping: BlockDeviceMappingTable
  shadow_migrations: MigrationsTable
}

export type ServiceRow = Selectable<ServicesTable>
export type ComputeNodeRow = Selectable<ComputeNodesTable>
export type InstanceRow = Selectable<InstancesTable>
