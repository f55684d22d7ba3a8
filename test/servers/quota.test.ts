import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { systemClock } from '../../src/common/clock.js'
import { silentLogger } from '../../src/common/logger.js'
import type { MessageBus } from '../../src/bus/index.js'
import { openDatabase, syncSchema, type Database, type UntypedKysely } from '../../src/db/index.js'
import { createInstanceActionsRepository } from '../../src/db/repositories/instance-actions.js'
import { createInstancesRepository } from '../../src/db/repositories/instances.js'
import { PolicyEnforcer } from '../../src/policy/index.js'
import { createComputeApiApp } from '../../src/services/compute-api/app.js'
import { COMPUTE_POLICIES } from '../../src/services/compute-api/policies.js'
import { QuotaEngine } from '../../src/services/compute-api/quota/engine.js'
import { FlavorStore } from '../../src/services/compute-api/store/flavors.js'
import { KeyPairStore } from '../../src/services/compute-api/store/keypairs.js'
import { ComputeClient } from '../../src/services/compute/client.js'
import { ConductorClient } from '../../src/services/conductor/client.js'
import type { TokenChecker } from '../../src/services/identity/client.js'
import { databaseBackends } from '../support/backends.js'
import { persona } from '../support/personas.js'
import { withTestDatabase } from '../support/test-database.js'
import { openTestBus } from '../support/test-bus.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const PROJECTS = ['project-a', 'project-b', 'project-c', 'project-d', 'project-e']
const TOKENS: Record<string, ReturnType<typeof persona>> = {
  ADMIN: persona('admin-project', ['admin', 'member', 'reader']),
  ...Object.fromEntries(PROJECTS.map((p) => [p, persona(p, ['member', 'reader'])])),
  'project-e/other': { ...persona('project-e', ['member', 'reader']), userId: 'other-user' },
}
const checker: TokenChecker = { verify: (token) => TOKENS[token] ?? 'malformed' }
const DEFAULTS = { instances: 10, cores: 20, ram: 51200 }

for (const backend of await databaseBackends()) {
  describe(
    `[db:${backend.name}] quotas enforced on server create (instances, cores, ram), exact under concurrency`,
    {
      skip: backend.skip,
    },
    () => {
      let mainDb: Database<unknown>
      let apiDb: Database<unknown>
      let bus: MessageBus
      let engine: QuotaEngine
      let release: () => void = () => {}
      let finished: Promise<void> = Promise.resolve()
      let call: (method: string, url: string, body?: unknown, token?: string) => Promise<Obj>

      before(async () => {
        const [mainUrl, apiUrl] = await new Promise<[string, string]>((resolve, reject) => {
          finished = withTestDatabase(backend, (m) =>
            withTestDatabase(backend, async (a) => {
              resolve([m, a])
              await new Promise<void>((r) => (release = r))
            }),
          ).catch(reject)
        })
        mainDb = await openDatabase(mainUrl)
        apiDb = await openDatabase(apiUrl)
        await syncSchema(mainDb, 'main')
        await syncSchema(apiDb, 'api')
        bus = await openTestBus({ name: 'memory', url: 'memory://' })
        engine = new QuotaEngine({ apiDb, mainDb, defaults: DEFAULTS })
        const app = createComputeApiApp({
          logger: silentLogger(),
          auth: { checker, identityUri: 'http://id/v3' },
          policy: new PolicyEnforcer(COMPUTE_POLICIES),
          deps: {
            flavors: new FlavorStore(apiDb),
            keypairs: new KeyPairStore(apiDb),
            servers: {
              instances: createInstancesRepository(mainDb),
              actions: createInstanceActionsRepository(mainDb),
              apiDb,
              // Nobody consumes the casts: the servers stay in BUILD, which is all the quota needs.
              conductor: new ConductorClient({ bus, timeoutMs: 5_000 }),
              compute: new ComputeClient({ bus, timeoutMs: 5_000 }),
              placement: undefined,
              quota: { mainDb, defaults: DEFAULTS },
              enableInstancePassword: true,
              clock: systemClock,
              logger: silentLogger(),
            },
          },
        })
        call = async (method, url, body, token = 'project-a') => {
          const headers: Record<string, string> = { host: 'compute.test:8774', 'x-auth-token': token }
          if (body !== undefined) headers['content-type'] = 'application/json'
          const r = await app.inject({
            method: method as 'GET',
            url: `/v2.1${url}`,
            headers,
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          })
          return { status: r.statusCode, body: r.body === '' ? {} : (JSON.parse(r.body) as Obj) }
        }
        for (const [id, ram, vcpus] of [
          ['1', 1024, 1],
          ['2', 2048, 2],
        ] as const) {
          const flavor = await call(
            'POST',
            '/flavors',
            { flavor: { name: `f${id}`, id, ram, vcpus, disk: 1 } },
            'ADMIN',
          )
          assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
        }
      })

      after(async () => {
        await bus?.close()
        await mainDb?.close()
        await apiDb?.close()
        release()
        await finished
      })

      const create = (token: string, flavorRef = '1', extra: Obj = {}) =>
        call('POST', '/servers', { server: { name: 'vm', flavorRef, imageRef: 'cirros', ...extra } }, token)
      const forbidden = (message: string) => ({ forbidden: { code: 403, message } })
      const live = async (project: string): Promise<number> => (await engine.instanceUsage(project)).instances
      const mappings = async (project: string): Promise<number> => {
        const row = (await (apiDb.kysely as UntypedKysely)
          .selectFrom('instance_mappings')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('project_id', '=', project)
          .executeTakeFirst()) as { n: unknown }
        return Number(row.n)
      }

      it('instances quota 2: a third create is refused with 403 and Nova message; a delete makes room', async () => {
        await engine.setLimit('quotas', { project_id: 'project-a' }, 'instances', 2)
        const first = await create('project-a')
        assert.equal(first.status, 202, JSON.stringify(first.body))
        assert.equal((await create('project-a')).status, 202)
        const third = await create('project-a')
        assert.equal(third.status, 403)
        assert.deepEqual(
          third.body,
          forbidden('Quota exceeded for instances: Requested 1, but already used 2 of 2 instances'),
        )
        assert.equal(await live('project-a'), 2)
        assert.equal(await mappings('project-a'), 2)
        assert.equal(
          (await call('DELETE', `/servers/${first.body.server.id}`, undefined, 'project-a')).status,
          204,
        )
        assert.equal((await create('project-a')).status, 202)
        assert.equal(await live('project-a'), 2)
      })

      it('cores quota: the flavor vcpus count, with Nova message', async () => {
        await engine.setLimit('quotas', { project_id: 'project-b' }, 'cores', 3)
        assert.equal((await create('project-b', '2')).status, 202)
        const second = await create('project-b', '2')
        assert.equal(second.status, 403)
        assert.deepEqual(
          second.body,
          forbidden('Quota exceeded for cores: Requested 2, but already used 2 of 3 cores'),
        )
        // One vcpu still fits.
        assert.equal((await create('project-b', '1')).status, 202)
      })

      it('ram quota: max_count is reduced to what fits; min_count that does not fit is refused', async () => {
        await engine.setLimit('quotas', { project_id: 'project-c' }, 'ram', 3000)
        const many = await create('project-c', '1', { min_count: 1, max_count: 5 })
        assert.equal(many.status, 202, JSON.stringify(many.body))
        assert.equal(await live('project-c'), 2)
        const list = await call('GET', '/servers', undefined, 'project-c')
        assert.deepEqual(list.body.servers.map((s: Obj) => s.name).sort(), ['vm-1', 'vm-2'])
        const more = await create('project-c', '1', { min_count: 2, max_count: 2 })
        assert.equal(more.status, 403)
        assert.deepEqual(
          more.body,
          forbidden('Quota exceeded for ram: Requested 2048, but already used 2048 of 3000 ram'),
        )
        assert.equal(await live('project-c'), 2)
      })

      it('per-user limits count the user instances; the project limit counts all of them', async () => {
        await engine.setLimit('quotas', { project_id: 'project-e' }, 'instances', 3)
        await engine.setLimit(
          'project_user_quotas',
          { project_id: 'project-e', user_id: 'user-project-e' },
          'instances',
          1,
        )
        assert.equal((await create('project-e')).status, 202)
        const again = await create('project-e')
        assert.equal(again.status, 403)
        assert.deepEqual(
          again.body,
          forbidden('Quota exceeded for instances: Requested 1, but already used 1 of 1 instances'),
        )
        assert.equal((await create('project-e/other')).status, 202)
        assert.equal((await create('project-e/other')).status, 202)
        const full = await create('project-e/other')
        assert.equal(full.status, 403)
        assert.deepEqual(
          full.body,
          forbidden('Quota exceeded for instances: Requested 1, but already used 3 of 3 instances'),
        )
      })

      it('10 parallel creates against a quota of 5 instances: exactly 5 succeed', async () => {
        await engine.setLimit('quotas', { project_id: 'project-d' }, 'instances', 5)
        const results = await Promise.all(Array.from({ length: 10 }, () => create('project-d')))
        const statuses = results.map((r) => r.status).sort()
        assert.deepEqual(
          statuses,
          [202, 202, 202, 202, 202, 403, 403, 403, 403, 403],
          JSON.stringify(results),
        )
        for (const r of results.filter((x) => x.status === 403))
          assert.match(
            r.body.forbidden.message,
            /^Quota exceeded for instances: Requested 1, but already used 5 of 5/,
          )
        assert.equal(await live('project-d'), 5)
        assert.equal(await mappings('project-d'), 5)
      })
    },
  )
}
