import { Migrator, type Migration, type MigrationProvider } from 'kysely'
import { Invalid, InternalError } from '../common/errors/index.js'
import type { Database } from './dialects.js'
import { MIGRATIONS, type SchemaKind } from './migrations/index.js'

export type { SchemaKind } from './migrations/index.js'

function migratorFor(db: Database<unknown>, kind: SchemaKind): Migrator {
  const provider: MigrationProvider = {
    getMigrations: async () => {
      const out: Record<string, Migration> = {}
      for (const [name, factory] of MIGRATIONS[kind]) out[name] = factory(db.differences)
      return out
    },
  }
  // Separate bookkeeping per schema, so main and api may share one physical database (all-in-one SQLite).
  return new Migrator({
    db: db.kysely,
    provider,
    migrationTableName: `nova_migrations_${kind}`,
    migrationLockTableName: `nova_migrations_${kind}_lock`,
  })
}

/** The version this release's code needs: the number of migrations it ships. */
export function latestSchemaVersion(kind: SchemaKind): number {
  return MIGRATIONS[kind].length
}

/** The database's schema version: migrations applied, 0 on an empty database. */
export async function schemaVersion(db: Database<unknown>, kind: SchemaKind): Promise<number> {
  const migrations = await migratorFor(db, kind).getMigrations()
  return migrations.filter((m) => m.executedAt !== undefined).length
}

/**
 * `nova-manage db sync` / `api_db sync`: applies the missing migrations up to the latest or `version`.
 * Idempotent: a database already there applies nothing. Going down is refused (Nova has no downgrades).
 */
export async function syncSchema(
  db: Database<unknown>,
  kind: SchemaKind,
  options: { readonly version?: number } = {},
): Promise<{ from: number; to: number; applied: string[] }> {
  const latest = latestSchemaVersion(kind)
  const target = options.version ?? latest
  if (!Number.isInteger(target) || target < 0 || target > latest) {
    throw new Invalid(`schema version ${target} does not exist; the ${kind} database goes up to ${latest}`)
  }
  const from = await schemaVersion(db, kind)
  if (target < from)
    throw new Invalid(`the ${kind} database is at version ${from}; downgrading to ${target} is not supported`)
  if (target === from) return { from, to: from, applied: [] }
  const migrator = migratorFor(db, kind)
  const { error, results } =
    target === latest
      ? await migrator.migrateToLatest()
      : await migrator.migrateTo(MIGRATIONS[kind][target - 1]![0])
  if (error !== undefined) {
    throw new InternalError(`migrating the ${kind} database failed: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const applied = (results ?? [])
    .filter((r) => r.status === 'Success')
    .map((r) => `${kind} ${r.migrationName}`)
  return { from, to: await schemaVersion(db, kind), applied }
}
