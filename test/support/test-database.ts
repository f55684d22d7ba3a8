import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { openDatabase } from '../../src/db/index.js'
import type { Backend } from './backends.js'

/**
 * Runs `fn` with the URL of a fresh, empty database of its own on the backend: a uniquely named database on
 * PostgreSQL or MariaDB (dropped afterwards), a temporary file on SQLite. Runs never see each other's tables.
 */
export async function withTestDatabase(backend: Backend, fn: (url: string) => Promise<void>): Promise<void> {
  if (backend.name === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'nova-db-'))
    try {
      await fn(`sqlite:///${path.join(dir, 'test.sqlite')}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    return
  }
  const name = `nova_t_${randomBytes(6).toString('hex')}`
  const admin = await openDatabase(backend.url)
  try {
    await sql.raw(`CREATE DATABASE ${name}`).execute(admin.kysely)
    try {
      await fn(backend.url.replace(/\/[^/?]+(\?|$)/, `/${name}$1`))
    } finally {
      await sql
        .raw(
          backend.name === 'postgresql'
            ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`
            : `DROP DATABASE IF EXISTS ${name}`,
        )
        .execute(admin.kysely)
    }
  } finally {
    await admin.close()
  }
}
