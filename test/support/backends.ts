import { connect } from 'node:net'

/**
 * Which real backends a conformance suite runs on. SQLite and the in-process bus always run. PostgreSQL,
 * MariaDB and RabbitMQ run when reachable; under CI=true an unreachable one is a failure, never a skip.
 * Locally the suite says clearly which backends it skipped.
 *
 * Addresses can be moved with NOVA_TEST_PG_URL, NOVA_TEST_MYSQL_URL and NOVA_TEST_RABBIT_URL.
 */
export interface Backend {
  /** `sqlite`, `postgresql`, `mysql`, `memory`, `rabbit`. */
  readonly name: string
  /** Base URL; suites make their own database / names inside it. */
  readonly url: string
  /** Set when the backend is unreachable outside CI: the suite must skip it with this reason. */
  readonly skip?: string
}

export const PG_URL = process.env.NOVA_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/test'
export const MYSQL_URL = process.env.NOVA_TEST_MYSQL_URL ?? 'mysql+pymysql://root@127.0.0.1:3306/test'
export const RABBIT_URL = process.env.NOVA_TEST_RABBIT_URL ?? 'rabbit://guest:guest@127.0.0.1:5672/'

const inCi = process.env.CI === 'true' || process.env.CI === '1'

async function reachable(url: string, defaultPort: number): Promise<boolean> {
  const parsed = new URL(url.replace(/^[a-z0-9+]+:/i, 'http:'))
  const port = parsed.port === '' ? defaultPort : Number(parsed.port)
  return await new Promise((resolve) => {
    const socket = connect({ host: parsed.hostname, port })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(2000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

async function check(name: string, url: string, port: number): Promise<Backend> {
  if (await reachable(url, port)) return { name, url }
  if (inCi) throw new Error(`${name} at ${url} is unreachable; under CI=true a missing backend fails the run`)
  return { name, url, skip: `${name} unreachable at ${url} (not CI, skipped)` }
}

/** sqlite, postgresql, mysql. */
export async function databaseBackends(): Promise<Backend[]> {
  return [
    { name: 'sqlite', url: 'sqlite://' },
    await check('postgresql', PG_URL, 5432),
    await check('mysql', MYSQL_URL, 3306),
  ]
}

/** memory, rabbit. */
export async function busBackends(): Promise<Backend[]> {
  return [{ name: 'memory', url: 'memory://' }, await check('rabbit', RABBIT_URL, 5672)]
}
