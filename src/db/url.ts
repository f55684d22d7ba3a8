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
 * `mysql[+pymysql|+mysqldb]://user:pw@host[:port]/db?charset=utf8` (a `unix_socket` query is honoured,
 * and PostgreSQL's `?host=/socket/dir`). User, password and database are percent-decoded; a missing port is
 * the engine's default; a missing user is `postgres` / `root`. Relative SQLite paths resolve against the
 * working directory. Pure: no connection is made.
 * @throws DatabaseUrlInvalid (message without the password) for an unknown scheme or a malformed URL.
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
  // SQLAlchemy's own URL grammar (sqlalchemy/engine/url.py), which, unlike WHATWG URLs, allows an empty host
  // (`mysql://u:p@/db?unix_socket=…`) and raw `:` or `/` in the password.
  const netloc =
    /^(?:([^:/@]*)(?::([^@]*))?@)?(?:\[([^/?\]]+)\]|([^/:?]+))?(?::([^/?]*))?(?:\/([^?]*))?(?:\?(.*))?$/.exec(
      rest,
    )
  if (netloc === null) return fail('malformed URL')
  const [, rawUser, rawPassword, ipv6, host, rawPort, rawDatabase, rawQuery] = netloc
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text)
    } catch {
      return fail('malformed percent-encoding')
    }
  }
  if (rawPort !== undefined && rawPort !== '' && !/^\d{1,5}$/.test(rawPort))
    return fail(`bad port ${rawPort}`)
  const database = decode(rawDatabase ?? '')
  if (database === '') return fail('no database name')
  const query: Record<string, string> = {}
  for (const [k, v] of new URLSearchParams(rawQuery ?? '')) query[k] = v
  return {
    engine,
    host: ipv6 ?? (host === undefined || host === '' ? 'localhost' : decode(host)),
    port: rawPort === undefined || rawPort === '' ? (engine === 'postgresql' ? 5432 : 3306) : Number(rawPort),
    user: decode(rawUser ?? '') || (engine === 'postgresql' ? 'postgres' : 'root'),
    password: rawPassword === undefined || rawPassword === '' ? undefined : decode(rawPassword),
    database,
    query,
  }
}

/** The URL with its password (in the netloc or a `password=` query option) replaced by `****`. Never throws. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(:\/\/[^:/@]*):[^@]*@/, '$1:****@').replace(/([?&]password=)[^&]*/i, '$1****')
}

/** Alias of redactDatabaseUrl. */
export const redactUrl: (url: string) => string = redactDatabaseUrl
