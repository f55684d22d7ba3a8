import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { sql } from 'kysely'
import { DatabaseUnavailable, DatabaseUrlInvalid } from '../common/errors/index.js'
import { openDatabase } from './dialects.js'

const unavailableWithoutPassword = (e: unknown): boolean =>
  e instanceof DatabaseUnavailable && !e.message.includes('s3cret') && e.message.includes('****')

describe('openDatabase', () => {
  it('opens SQLite in a folder it creates, in WAL mode with foreign keys on; close is idempotent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nova-dialects-'))
    try {
      const file = path.join(dir, 'deep', 'er', 'nova.sqlite')
      const db = await openDatabase(`sqlite:///${file}`)
      assert.equal(db.engine, 'sqlite')
      assert.equal(db.differences.supportsForUpdate, false)
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db.kysely)).rows[0] as object)[0] as unknown
      assert.equal(await pragma('journal_mode'), 'wal')
      assert.equal(await pragma('foreign_keys'), 1)
      assert.equal(await pragma('busy_timeout'), 5000)
      await db.close()
      await db.close()
      assert.ok(statSync(file).isFile())
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an unreachable server or an unusable path is DatabaseUnavailable, naming the URL without its password', async () => {
    await assert.rejects(
      openDatabase('postgresql://nova:s3cret@127.0.0.1:1/nova'),
      unavailableWithoutPassword,
    )
    await assert.rejects(
      openDatabase('mysql+pymysql://nova:s3cret@127.0.0.1:1/nova'),
      unavailableWithoutPassword,
    )
    const dir = mkdtempSync(path.join(tmpdir(), 'nova-dialects-'))
    try {
      writeFileSync(path.join(dir, 'a-file'), '')
      await assert.rejects(openDatabase(`sqlite:///${dir}/a-file/sub/x.sqlite`), DatabaseUnavailable)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    await assert.rejects(openDatabase('oracle://nova:s3cret@h/nova'), DatabaseUrlInvalid)
  })
})
