import type { Logger } from '../common/logger.js'
import { Invalid } from '../common/errors/index.js'
import type { NovaConfig } from '../config/index.js'
import {
  archiveDeletedRows,
  openDatabase,
  purgeShadowTables,
  schemaVersion,
  syncSchema,
  type Database,
} from '../db/index.js'
import { databaseUrls } from '../db/database-urls.js'

async function withDatabase<T>(
  config: NovaConfig,
  kind: 'main' | 'api',
  logger: Logger,
  fn: (db: Database<unknown>) => Promise<T>,
): Promise<T> {
  const db = await openDatabase<unknown>(databaseUrls(config)[kind], { logger })
  try {
    return await fn(db)
  } finally {
    await db.close()
  }
}

/** `nova-manage db sync` / `api_db sync [--version N]`: idempotent; prints nothing when already current. */
export async function syncCommand(
  config: NovaConfig,
  kind: 'main' | 'api',
  version: string | undefined,
  logger: Logger,
): Promise<number> {
  const target = version === undefined ? undefined : Number(version)
  if (target !== undefined && (!Number.isInteger(target) || target < 0))
    throw new Invalid(`--version must be a whole number, not ${version}`)
  return await withDatabase(config, kind, logger, async (db) => {
    const result = await syncSchema(db, kind, target === undefined ? {} : { version: target })
    for (const name of result.applied) process.stdout.write(`applied ${name}\n`)
    return 0
  })
}

/** `nova-manage db version` / `api_db version`: prints the schema version (0 on an empty database). */
export async function versionCommand(
  config: NovaConfig,
  kind: 'main' | 'api',
  logger: Logger,
): Promise<number> {
  return await withDatabase(config, kind, logger, async (db) => {
    process.stdout.write(`${await schemaVersion(db, kind)}\n`)
    return 0
  })
}

function parseDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw new Invalid(`--before must be a date, not ${value}`)
  return date
}

function printCounts(counts: Readonly<Record<string, number>>): void {
  const rows = Object.entries(counts).filter(([, n]) => n > 0)
  if (rows.length === 0) {
    process.stdout.write('Nothing was archived.\n')
    return
  }
  const width = Math.max(5, ...rows.map(([t]) => t.length))
  process.stdout.write(`${'Table'.padEnd(width)} | Number of Rows\n${'-'.repeat(width)}-+---------------\n`)
  for (const [table, n] of rows) process.stdout.write(`${table.padEnd(width)} | ${n}\n`)
}

/**
 * `nova-manage db archive_deleted_rows`, with Nova's exit codes: 0 nothing was archived, 1 some rows were
 * archived, 2 invalid --max_rows, 4 invalid --before.
 */
export async function archiveCommand(
  config: NovaConfig,
  opts: { max_rows: string; before?: string; verbose: boolean; untilComplete: boolean },
  logger: Logger,
): Promise<number> {
  const maxRows = Number(opts.max_rows)
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    process.stderr.write(
      `Invalid input received: max_rows must be a positive whole number, not ${opts.max_rows}\n`,
    )
    return 2
  }
  let before: Date | undefined
  try {
    before = parseDate(opts.before)
  } catch (error) {
    process.stderr.write(`Invalid input received: ${(error as Error).message}\n`)
    return 4
  }
  return await withDatabase(config, 'main', logger, async (db) => {
    const total: Record<string, number> = {}
    let archivedAny = false
    for (;;) {
      const counts = await archiveDeletedRows(db, { maxRows, ...(before === undefined ? {} : { before }) })
      const batch = Object.values(counts).reduce((a, b) => a + b, 0)
      for (const [table, n] of Object.entries(counts)) total[table] = (total[table] ?? 0) + n
      if (batch > 0) archivedAny = true
      if (!opts.untilComplete || batch === 0) break
    }
    if (opts.verbose) printCounts(total)
    return archivedAny ? 1 : 0
  })
}

/** `nova-manage db purge --before DATE | --all`: deletes shadow rows. */
export async function purgeCommand(
  config: NovaConfig,
  opts: { before?: string; all: boolean; verbose: boolean },
  logger: Logger,
): Promise<number> {
  if (!opts.all && opts.before === undefined) throw new Invalid('purge needs --before DATE or --all')
  const before = opts.all ? undefined : parseDate(opts.before)
  return await withDatabase(config, 'main', logger, async (db) => {
    const counts = await purgeShadowTables(db, before === undefined ? {} : { before })
    if (opts.verbose) printCounts(counts)
    return 0
  })
}
