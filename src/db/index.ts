export { archiveDeletedRows, purgeShadowTables, ARCHIVED_TABLES, type ArchiveOptions } from './archive.js'
export { databaseUrls } from './database-urls.js'
export { openDatabase, type Database, type OpenDatabaseOptions } from './dialects.js'
export { latestSchemaVersion, schemaVersion, syncSchema, type SchemaKind } from './migrate.js'
export {
  softDelete,
  updateWithExpectedState,
  withTransaction,
  type Expected,
  type ExpectedStateUpdate,
} from './optimistic.js'
export {
  createComputeNodesRepository,
  COMPUTE_NODE_NUMBER_FIELDS,
  COMPUTE_NODE_TEXT_FIELDS,
  type ComputeNodeFields,
  type ComputeNodeRecord,
  type ComputeNodesRepository,
} from './repositories/compute-nodes.js'
export {
  createServicesRepository,
  isServiceUp,
  type ServiceRecord,
  type ServicesRepository,
} from './repositories/services.js'
export type * from './schema/api.js'
export type * from './schema/columns.js'
export type * from './schema/main.js'
export { sqlDifferencesFor, type ColumnKind, type SqlDifferences } from './sql-differences.js'
export type { UntypedExecutor, UntypedKysely } from './untyped.js'
export { parseDatabaseUrl, redactDatabaseUrl, redactUrl, type Engine, type ParsedDatabaseUrl } from './url.js'
export { insertReturningId, upsert, type Upsert } from './writes.js'
