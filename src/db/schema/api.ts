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
}

export type CellMappingRow = Selectable<CellMappingsTable>
export type InstanceMappingRow = Selectable<InstanceMappingsTable>
