import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { latestSchemaVersion } from '../../src/db/index.js'
import { databaseBackends } from '../support/backends.js'
import { runBinary } from '../support/spawn-binary.js'
import { withTestDatabase } from '../support/test-database.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-manage-'))
after(() => rmSync(dir, { recursive: true, force: true }))

for (const backend of await databaseBackends()) {
  describe(`[manage-db:${backend.name}] nova-manage db sync`, { skip: backend.skip }, () => {
    it('creates both schemas on an empty database, reports their versions, and a second sync is a no-op', async () => {
      await withTestDatabase(backend, async (url) => {
        const file = path.join(dir, `${backend.name}.conf`)
        writeFileSync(
          file,
          `[DEFAULT]\nstate_path = ${dir}\n\n[database]\nconnection = ${url}\n\n[api_database]\nconnection = ${url}\n`,
        )
        const manage = (...args: string[]) => runBinary('nova-manage', ['--config-file', file, ...args])

        assert.equal((await manage('db', 'version')).stdout.trim(), '0')
        for (const [group, kind] of [
          ['db', 'main'],
          ['api_db', 'api'],
        ] as const) {
          const first = await manage(group, 'sync')
          assert.equal(first.code, 0, first.stderr)
          assert.match(first.stdout, /applied /)
          const version = await manage(group, 'version')
          assert.equal(version.stdout.trim(), String(latestSchemaVersion(kind)))
          const again = await manage(group, 'sync')
          assert.equal(again.code, 0, again.stderr)
          assert.equal(again.stdout, '', 'a second sync applies nothing')
        }
      })
    })
  })
}
