import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { openDatabase, softDelete } from '../../src/db/index.js'
import type { UntypedKysely } from '../../src/db/untyped.js'
import { runBinary } from '../support/spawn-binary.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-manage-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('nova-manage', () => {
  it('db archive_deleted_rows moves soft-deleted instances to shadow tables, with Nova’s exit codes', async () => {
    const url = `sqlite:///${path.join(dir, 'nova.sqlite')}`
    const conf = path.join(dir, 'nova.conf')
    writeFileSync(conf, `[DEFAULT]\nstate_path = ${dir}\n[database]\nconnection = ${url}\n`)
    const manage = (...args: string[]) => runBinary('nova-manage', ['--config-file', conf, ...args])
    assert.equal((await manage('db', 'sync')).code, 0)

    const db = await openDatabase(url)
    try {
      const k = db.kysely as UntypedKysely
      for (let i = 0; i < 3; i++)
        await k.insertInto('instances').values({ uuid: randomUUID(), deleted: 0 }).execute()
      const rows = await k.selectFrom('instances').select('id').orderBy('id').execute()
      for (const r of rows.slice(0, 2)) await softDelete(db, 'instances', Number(r.id))
    } finally {
      await db.close()
    }

    const archived = await manage(
      'db',
      'archive_deleted_rows',
      '--max_rows',
      '1',
      '--until-complete',
      '--verbose',
    )
    assert.equal(archived.code, 1, archived.stderr)
    assert.match(archived.stdout, /instances\s+\|\s+2/)
    const nothing = await manage('db', 'archive_deleted_rows')
    assert.equal(nothing.code, 0)
    assert.equal((await manage('db', 'archive_deleted_rows', '--max_rows', 'many')).code, 2)
    assert.equal((await manage('db', 'archive_deleted_rows', '--before', 'someday')).code, 4)
    const purged = await manage('db', 'purge', '--all', '--verbose')
    assert.equal(purged.code, 0)
    assert.match(purged.stdout, /shadow_instances\s+\|\s+2/)
  })

  it('config sample prints every section with commented defaults', async () => {
    const result = await runBinary('nova-manage', ['config', 'sample'])
    assert.equal(result.code, 0)
    assert.match(result.stdout, /^\[DEFAULT\]$/m)
    assert.match(result.stdout, /^#report_interval = 10$/m)
    assert.match(result.stdout, /^\[oslo_messaging_rabbit\]$/m)
    assert.match(result.stdout, /^#connection = <None>$/m)
  })

  it('an unknown command exits non-zero with usage on stderr', async () => {
    const result = await runBinary('nova-manage', ['db', 'explode'])
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /unknown command|error/i)
  })
})
