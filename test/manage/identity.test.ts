import { strict as assert } from 'node:assert'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase } from '../../src/db/index.js'
import { authenticate } from '../../src/services/identity/authenticate.js'
import { buildIdentityDeps } from '../../src/services/identity/index.js'
import { runBinary } from '../support/spawn-binary.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-manage-id-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('nova-manage identity', () => {
  const conf = path.join(dir, 'nova.conf')
  writeFileSync(
    conf,
    `[DEFAULT]\nstate_path = ${dir}\nmy_ip = 127.0.0.1\n[identity]\npassword_hash_rounds = 4\n`,
  )
  const manage = (...args: string[]) => runBinary('nova-manage', ['--config-file', conf, ...args])

  it('bootstrap creates an admin who can authenticate, and running it again changes nothing but the password', async () => {
    const first = await manage('identity', 'bootstrap', '--bootstrap-password', 'first')
    assert.equal(first.code, 0, first.stderr)
    const second = await manage('identity', 'bootstrap', '--bootstrap-password', 'second')
    assert.equal(second.code, 0, second.stderr)
    assert.equal(second.stdout, first.stdout, 'the same admin user and project')

    const db = await openDatabase(`sqlite:///${path.join(dir, 'nova_api.sqlite')}`)
    try {
      const deps = await buildIdentityDeps(
        db,
        {
          tokenExpirationS: 60,
          defaultDomainId: 'default',
          passwordHashRounds: 4,
          lockoutFailureAttempts: undefined,
          lockoutDurationS: 1,
          publicUrl: 'http://x',
        },
        path.join(dir, 'fernet-keys'),
        silentLogger(),
      )
      const body = (password: string) => ({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', domain: { name: 'Default' }, password } },
          },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      })
      const payload = await authenticate(deps, body('second'))
      assert.deepEqual(payload.roles.map((r) => r.name).sort(), ['admin', 'member', 'reader'])
      await assert.rejects(authenticate(deps, body('first')))
      assert.equal(
        (await deps.catalog.listEndpoints()).length,
        12,
        'identity, image, compute and placement on three interfaces, once',
      )
    } finally {
      await db.close()
    }
  })

  it('fernet_setup then fernet_rotate', async () => {
    const keysDir = path.join(dir, 'fernet-keys')
    assert.equal((await manage('identity', 'fernet_setup')).code, 0)
    const before = readdirSync(keysDir).sort()
    assert.equal((await manage('identity', 'fernet_rotate')).code, 0)
    const afterRotate = readdirSync(keysDir).sort()
    assert.equal(afterRotate.length, before.length + 1)
  })
})
