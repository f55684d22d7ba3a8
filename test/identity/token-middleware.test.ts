import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { silentLogger } from '../../src/common/logger.js'
import { loadConfig } from '../../src/config/index.js'
import { buildProcess } from '../../src/process/build-process.js'
import { busBackends } from '../support/backends.js'
import { freePort } from '../support/free-port.js'
import { uniqueName } from '../support/test-bus.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-mw-'))
after(() => rmSync(dir, { recursive: true, force: true }))

for (const backend of await busBackends()) {
  describe(
    `[token-middleware:${backend.name}] the compute API checks tokens without calling identity`,
    { skip: backend.skip },
    () => {
      it('refuses a missing token, accepts a valid one, and refuses a revoked one within 2 seconds', async () => {
        const [identityPort, computePort] = [await freePort(), await freePort()]
        const { config } = loadConfig({
          overrides: {
            DEFAULT: {
              state_path: path.join(dir, backend.name),
              my_ip: '127.0.0.1',
              transport_url: backend.url,
              control_exchange: uniqueName('mw'),
              osapi_compute_listen: '127.0.0.1',
              osapi_compute_listen_port: String(computePort),
            },
            identity: { listen: '127.0.0.1', port: String(identityPort), password_hash_rounds: '4' },
          },
        })
        const parts = await buildProcess({
          config,
          daemons: ['nova-identity', 'nova-api'],
          logger: silentLogger(),
          autoSyncSchema: true,
          adminPassword: 'pw',
          queueExpiresMs: 60_000,
        })
        await parts.start()
        try {
          const identity = `http://127.0.0.1:${identityPort}`
          const compute = `http://127.0.0.1:${computePort}`
          const issued = await fetch(`${identity}/v3/auth/tokens`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              auth: {
                identity: {
                  methods: ['password'],
                  password: { user: { name: 'admin', domain: { id: 'default' }, password: 'pw' } },
                },
                scope: { project: { name: 'admin', domain: { id: 'default' } } },
              },
            }),
          })
          assert.equal(issued.status, 201)
          const token = issued.headers.get('x-subject-token')!

          const anonymous = await fetch(`${compute}/v2.1/servers`)
          assert.equal(anonymous.status, 401)
          assert.equal(anonymous.headers.get('www-authenticate'), `Keystone uri="${identity}/v3"`)
          assert.equal(((await anonymous.json()) as { error: { code: number } }).error.code, 401)
          assert.equal((await fetch(`${compute}/v2.1/`)).status, 200, 'version documents stay public')
          assert.equal(
            (await fetch(`${compute}/v2.1/servers`, { headers: { 'x-auth-token': 'gAAAAAforged' } })).status,
            401,
          )

          const authed = await fetch(`${compute}/v2.1/servers`, { headers: { 'x-auth-token': token } })
          assert.notEqual(authed.status, 401, 'a valid token passes the middleware')

          const revoked = await fetch(`${identity}/v3/auth/tokens`, {
            method: 'DELETE',
            headers: { 'x-auth-token': token, 'x-subject-token': token },
          })
          assert.equal(revoked.status, 204)
          const deadline = Date.now() + 2000
          let status = 0
          while (Date.now() < deadline) {
            status = (await fetch(`${compute}/v2.1/servers`, { headers: { 'x-auth-token': token } })).status
            if (status === 401) break
            await sleep(20)
          }
          assert.equal(status, 401, 'the compute API refuses the revoked token within 2 s')
        } finally {
          await parts.stop(1000)
        }
      })
    },
  )
}
