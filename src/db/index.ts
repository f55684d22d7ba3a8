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
  createServicesRepository,
  isServiceUp,
  type ServiceRecord,
  type ServicesRepository,
} from './repositories/services.js'
export { sqlDifferencesFor, type SqlDifferences } from './sql-differences.js'
export { parseDatabaseUrl, redactDatabaseUrl, type Engine, type ParsedDatabaseUrl } from './url.js'
