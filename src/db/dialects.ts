import { mkdirSync } from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, type Dialect } from 'kysely'
import { createPool as createMysqlPool } from 'mysql2'
import pg from 'pg'
import { DatabaseUnavailable } from '../common/errors/index.js'
import type { Logger } from '../common/logger.js'
import { sqlDifferencesFor, type SqlDifferences } from './sql-differences.js'
import { parseDatabaseUrl, redactDatabaseUrl, type Engine } from './url.js'

/** An open database: the kysely handle, what differs on its engine, and how to close it. */
export interface Database<S> {
  readonly kysely: Kysely<S>
  readonly differences: SqlDifferences
  readonly engine: Engine
  readonly redactedUrl: string
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  readonly logger?: Logger
  /** `[database] max_pool_size`; SQLite always has one connection. */
  readonly poolSize?: number
}

const PG_TIMESTAMP = 1114
const PG_INT8 = 20
const PG_NUMERIC = 1700

/** int8 / numeric text as a number while that loses nothing; the text itself beyond that. */
function pgNumber(text: string): number | string {
  const n = Number(text)
  return Number.isSafeInteger(n) || (!Number.isInteger(n) && Number.isFinite(n)) ? n : text
}

/**
 * Opens the database a URL names (see url.ts) and checks that it answers. The only file that knows the driver
 * packages. SQLite: creates the file's folder, WAL, foreign keys on, 5 s busy timeout. PostgreSQL and MySQL:
 * a pool of `poolSize` (default 5), timestamps read and written as UTC, int8/DECIMAL read as numbers while
 * safe (see SqlDifferences for the normalisation contract), MySQL in utf8mb4. Unreachable or refused →
 * DatabaseUnavailable naming the URL without its password; a bad URL → DatabaseUrlInvalid. `close()` is
 * idempotent.
 */
const compiled = new Map<string, RegExp>()
/** A pattern compiled once (bounded cache); an invalid pattern matches nothing. */
function searchRegexp(pattern: string): RegExp {
  let re = compiled.get(pattern)
  if (re === undefined) {
    try {
      re = new RegExp(pattern)
    } catch {
      re = /(?!)/
    }
    if (compiled.size > 256) compiled.clear()
    compiled.set(pattern, re)
  }
  return re
}

/**
 * Kysely's SQLite driver prepares every query anew; a list with its children costs more in sqlite3_prepare than
 * in running it. Statements are kept by their SQL text (bounded; nothing here iterates a statement, the one use
 * a shared statement could not serve) and reused; pragmas and other calls with extra arguments pass through.
 */
function cacheStatements(handle: SqliteDatabase.Database): void {
  const prepare = handle.prepare.bind(handle) as (
    source: string,
    ...rest: unknown[]
  ) => SqliteDatabase.Statement
  const statements = new Map<string, SqliteDatabase.Statement>()
  handle.prepare = ((source: string, ...rest: unknown[]) => {
    if (rest.length > 0) return prepare(source, ...rest)
    let statement = statements.get(source)
    if (statement === undefined) {
      if (statements.size >= 1000) statements.clear()
      statement = prepare(source)
      statements.set(source, statement)
    }
    return statement
  }) as typeof handle.prepare
}

export async function openDatabase<S>(url: string, options: OpenDatabaseOptions = {}): Promise<Database<S>> {
  const parsed = parseDatabaseUrl(url)
  const redactedUrl = redactDatabaseUrl(url)
  const differences = sqlDifferencesFor(parsed.engine)
  let dialect: Dialect
  switch (parsed.engine) {
    case 'sqlite': {
      let handle: SqliteDatabase.Database
      try {
        if (parsed.file !== ':memory:') mkdirSync(path.dirname(parsed.file), { recursive: true })
        handle = new SqliteDatabase(parsed.file)
      } catch (error) {
        throw new DatabaseUnavailable({ reason: `${redactedUrl}: ${(error as Error).message}` })
      }
      handle.pragma('journal_mode = WAL')
      handle.pragma('foreign_keys = ON')
      handle.pragma('busy_timeout = 5000')
      // `x REGEXP y` calls regexp(y, x); a search anywhere in the text, as PostgreSQL's `~` and MySQL's REGEXP.
      handle.function('regexp', { deterministic: true }, (pattern: unknown, value: unknown) =>
        typeof pattern === 'string' && typeof value === 'string' && searchRegexp(pattern).test(value) ? 1 : 0,
      )
      cacheStatements(handle)
      dialect = new SqliteDialect({ database: handle })
      break
    }
    case 'postgresql': {
      const pool = new pg.Pool({
        // `?host=/var/run/postgresql` (SQLAlchemy's spelling of a Unix socket directory) wins over the netloc.
        host: parsed.query.host ?? parsed.host,
        port: parsed.port,
        user: parsed.user,
        database: parsed.database,
        max: options.poolSize ?? 5,
        ...(parsed.password === undefined ? {} : { password: parsed.password }),
        types: {
          getTypeParser: ((oid: number, format?: string) => {
            if (oid === PG_TIMESTAMP) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`)
            if (oid === PG_INT8 || oid === PG_NUMERIC) return pgNumber
            return pg.types.getTypeParser(oid, format as 'text')
          }) as typeof pg.types.getTypeParser,
        },
      })
      pool.on('connect', (client) => void client.query("SET TIME ZONE 'UTC'").catch(() => undefined))
      pool.on('error', (error) => options.logger?.warn({ err: error }, 'idle PostgreSQL connection failed'))
      dialect = new PostgresDialect({ pool })
      break
    }
    case 'mysql': {
      const pool = createMysqlPool({
        host: parsed.query.unix_socket === undefined ? parsed.host : undefined,
        socketPath: parsed.query.unix_socket,
        port: parsed.port,
        user: parsed.user,
        database: parsed.database,
        connectionLimit: options.poolSize ?? 5,
        timezone: 'Z',
        charset: 'utf8mb4',
        supportBigNumbers: true,
        bigNumberStrings: false,
        decimalNumbers: true,
        dateStrings: false,
        flags: ['FOUND_ROWS'],
        ...(parsed.password === undefined ? {} : { password: parsed.password }),
      })
      dialect = new MysqlDialect({ pool: pool as never })
      break
    }
  }
  const kysely = new Kysely<S>({ dialect })
  try {
    await kysely.selectNoFrom((eb) => eb.lit(1).as('one')).execute()
  } catch (error) {
    await kysely.destroy().catch(() => undefined)
    throw new DatabaseUnavailable({ reason: `${redactedUrl}: ${(error as Error).message}` })
  }
  let closed = false
  return {
    kysely,
    differences,
    engine: parsed.engine,
    redactedUrl,
    async close() {
      if (closed) return
      closed = true
      await kysely.destroy()
    },
  }
}
