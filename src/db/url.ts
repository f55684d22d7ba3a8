import path from 'node:path'
import { DatabaseUrlInvalid } from '../common/errors/index.js'

export type Engine = 'sqlite' | 'postgresql' | 'mysql'

export type ParsedDatabaseUrl =
  | { readonly engine: 'sqlite'; /** absolute path, or ':memory:' */ readonly file: string }
  | {
      readonly engine: 'postgresql' | 'mysql'
      readonly host: string
      readonly port: number
      readonly user: string
      readonly password: string | undefined
      readonly database: string
      readonly query: Readonly<Record<string, string>>
    }

/**
 * Reads SQLAlchemy-style URLs as operators write them in nova.conf: `sqlite:////abs/path.sqlite`,
 * `sqlite:///relative.sqlite`, `sqlite://` (in memory), `postgresql[+driver]://user:pw@host[:port]/db`,
 * `mysql[+pymysql|+mysqldb]://user:pw@host[:port]/db?charset=utf8` (a `unix_socket` query is honoured).
 */
export function parseDatabaseUrl(url: string): ParsedDatabaseUrl {
  const fail = (reason: string): never => {
    throw new DatabaseUrlInvalid({ url: redactDatabaseUrl(url), reason })
  }
  const match = /^([a-z0-9]+)(?:\+([a-z0-9_]+))?:\/\/(.*)$/i.exec(url.trim())
  if (match === null) return fail('expected <dialect>[+driver]://…')
  const dialect = match[1]!.toLowerCase()
  const rest = match[3]!
  if (dialect === 'sqlite') {
    if (rest === '' || rest === '/' || rest === '/:memory:') return { engine: 'sqlite', file: ':memory:' }
    if (!rest.startsWith('/'))
      return fail('an SQLite URL is sqlite:///relative/path or sqlite:////absolute/path')
    return { engine: 'sqlite', file: path.resolve(decodeURIComponent(rest.slice(1))) }
  }
  const engine =
    dialect === 'postgresql' || dialect === 'postgres'
      ? 'postgresql'
      : dialect === 'mysql' || dialect === 'mariadb'
        ? 'mysql'
        : undefined
  if (engine === undefined) return fail(`unsupported database ${dialect} (use sqlite, postgresql or mysql)`)
  let parsed: URL
  try {
    parsed = new URL(`http://${rest}`)
  } catch {
    return fail('malformed URL')
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (database === '') fail('no database name')
  const query: Record<string, string> = {}
  for (const [k, v] of parsed.searchParams) query[k] = v
  return {
    engine,
    host: parsed.hostname === '' ? 'localhost' : parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? (engine === 'postgresql' ? 5432 : 3306) : Number(parsed.port),
    user: decodeURIComponent(parsed.username) || (engine === 'postgresql' ? 'postgres' : 'root'),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    database,
    query,
  }
}

/** The URL with its password replaced by `****`. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(:\/\/[^:/@]*):[^@/]*@/, '$1:****@')
}
