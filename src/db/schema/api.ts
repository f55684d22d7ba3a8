import type { Selectable } from 'kysely'
import type { Bool, Id, NullableBool, Timestamps } from './columns.js'

// Row types of the API database's Nova tables, as migrations/api/0001 leaves them. API tables are hard-deleted
// (no deleted columns), as in Nova. The identity_* and image* tables that later API migrations add belong to
// the identity and image services, which type them in their own stores.

export interface CellMappingsTable extends Timestamps {
  id: Id
  uuid: string
  name: string | null
  transport_url: string
  database_connection: string
  disabled: Bool
}

export interface HostMappingsTable extends Timestamps {
  id: Id
  cell_id: number
  host: string
}

export interface InstanceMappingsTable extends Timestamps {
  id: Id
  instance_uuid: string
  cell_id: number | null
  project_id: string
  user_id: string | null
  queued_for_delete: NullableBool
}

export interface RequestSpecsTable extends Timestamps {
  id: Id
  instance_uuid: string
  spec: string
}

export interface BuildRequestsTable extends Timestamps {
  id: Id
  instance_uuid: string
  project_id: string
  instance: string | null
  block_device_mappings: string | null
  tags: string | null
}

export interface AggregatesTable extends Timestamps {
  id: Id
  uuid: string
  name: string
}

export interface AggregateHostsTable extends Timestamps {
  id: Id
  host: string
  aggregate_id: number
}

export interface AggregateMetadataTable extends Timestamps {
  id: Id
  aggregate_id: number
  key: string
  value: string
}

export interface FlavorsTable extends Timestamps {
  id: Id
  name: string
  memory_mb: number
  vcpus: number
  root_gb: number | null
  ephemeral_gb: number | null
  flavorid: string
  swap: number
  rxtx_factor: number | null
  vcpu_weight: number | null
  disabled: NullableBool
  is_public: NullableBool
  description: string | null
}

export interface FlavorExtraSpecsTable extends Timestamps {
  id: Id
  flavor_id: number
  key: string
  value: string | null
}

export interface FlavorProjectsTable extends Timestamps {
  id: Id
  flavor_id: number
  project_id: string
}

export interface KeyPairsTable extends Timestamps {
  id: Id
  name: string
  user_id: string
  fingerprint: string | null
  public_key: string | null
  type: string
}

export interface InstanceGroupsTable extends Timestamps {
  id: Id
  uuid: string
  name: string | null
  user_id: string | null
  project_id: string | null
}

export interface InstanceGroupPolicyTable extends Timestamps {
  id: Id
  group_id: number
  policy: string | null
  rules: string | null
}

export interface InstanceGroupMemberTable extends Timestamps {
  id: Id
  group_id: number
  instance_uuid: string
}

export interface QuotasTable extends Timestamps {
  id: Id
  project_id: string
  resource: string
  hard_limit: number | null
}

export interface ProjectUserQuotasTable extends Timestamps {
  id: Id
  project_id: string
  user_id: string
  resource: string
  hard_limit: number | null
}

export interface QuotaClassesTable extends Timestamps {
  id: Id
  class_name: string
  resource: string
  hard_limit: number | null
}

/** One row per project, locked while a create counts usage and records its instances (no Nova twin). */
export interface QuotaLocksTable extends Timestamps {
  id: Id
  project_id: string
  generation: number
}

/** The API database's Nova tables. */
export interface ApiSchema {
  cell_mappings: CellMappingsTable
  host_mappings: HostMappingsTable
  instance_mappings: InstanceMappingsTable
  request_specs: RequestSpecsTable
  build_requests: BuildRequestsTable
  aggregates: AggregatesTable
  aggregate_hosts: AggregateHostsTable
  aggregate_metadata: AggregateMetadataTable
  flavors: FlavorsTable
  flavor_extra_specs: FlavorExtraSpecsTable
  flavor_projects: FlavorProjectsTable
  key_pairs: KeyPairsTable
  instance_groups: InstanceGroupsTable
  instance_group_policy: InstanceGroupPolicyTable
  instance_group_member: InstanceGroupMemberTable
  quotas: QuotasTable
  project_user_quotas: ProjectUserQuotasTable
  quota_classes: QuotaClassesTable
  quota_locks: QuotaLocksTable
}

export type CellMappingRow = Selectable<CellMappingsTable>
export type InstanceMappingRow = Selectable<InstanceMappingsTable>
