import type { Logger } from '../common/logger.js'
import { Unavailable } from '../common/errors/index.js'
import { latestSchemaVersion, schemaVersion, syncSchema, type Database } from '../db/index.js'

/**
 * Makes sure a database's schema is what this release needs. nova-all on its embedded defaults syncs it
 * itself; a split daemon refuses to start on an out-of-date schema and says which command fixes it.
 */
export async function ensureSchema(
  db: Database<unknown>,
  kind: 'main' | 'api',
  options: { readonly autoSync: boolean; readonly logger: Logger },
): Promise<void> {
  if (options.autoSync) {
    const result = await syncSchema(db, kind)
    if (result.applied.length > 0) options.logger.info({ kind, ...result }, 'database schema synced')
    return
  }
  const current = await schemaVersion(db, kind)
  const wanted = latestSchemaVersion(kind)
  if (current < wanted) {
    const command = kind === 'main' ? 'nova-manage db sync' : 'nova-manage api_db sync'
    throw new Unavailable(
      `the ${kind} database (${db.redactedUrl}) is at schema version ${current}, this release needs ${wanted}: run ${command}`,
    )
  }
}
