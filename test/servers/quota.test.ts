import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { UntypedKysely } from '../../src/db/index.js'
import { QuotaEngine } from '../../src/services/compute-api/quota/engine.js'
import { databaseBackends } from '../support/backends.js'
import { startBuildCloud, type ApiCall, type BuildCloud, type Obj } from '../support/build-harness.js'
import { persona } from '../support/personas.js'
import { withTestDatabase } from '../support/test-database.js'

const PROJECTS = ['project-a', 'project-b', 'project-c', 'project-d', 'project-e']
const TOKENS: Record<string, ReturnType<typeof persona>> = {
  ADMIN: persona('admin-project', ['admin', 'member', 'reader']),
  ...Object.fromEntries(PROJECTS.map((p) => [p, persona(p, ['member', 'reader'])])),
  'project-e/other': { ...persona('project-e', ['member', 'reader']), userId: 'other-user' },
}
const DEFAULTS = { instances: 10, cores: 20, ram: 51200 }

for (const backend of await databaseBackends()) {
  describe(
    `[db:${backend.name}] quotas enforced on server create (instances, cores, ram), exact under concurrency`,
    {
      skip: backend.skip,
    },
    () => {
      let cloud: BuildCloud
      let engine: QuotaEngine
      let release: () => void = () => {}
      let finished: Promise<void> = Promise.resolve()
      let call: ApiCall

      before(async () => {
        const [mainUrl, apiUrl] = await new Promise<[string, string]>((resolve, reject) => {
          finished = withTestDatabase(backend, (m) =>
            withTestDatabase(backend, async (a) => {
              resolve([m, a])
              await new Promise<void>((r) => (release = r))
            }),
          ).catch(reject)
        })
        // Nobody consumes the casts: the servers stay in BUILD, which is all the quota needs.
        cloud = await startBuildCloud({
          apiOnly: { mainUrl, apiUrl },
          tokens: TOKENS,
          servers: (c) => ({ quota: { mainDb: c.mainDb, defaults: DEFAULTS } }),
        })
        engine = new QuotaEngine({ apiDb: cloud.apiDb, mainDb: cloud.mainDb, defaults: DEFAULTS })
        call = (method, url, body, token = 'project-a') => cloud.call(method, url, body, token)
        // Flavor 1 (1 vcpu, 1024 MB) comes with the cloud.
        const flavor = await call(
          'POST',
          '/flavors',
          { flavor: { name: 'f2', id: '2', ram: 2048, vcpus: 2, disk: 1 } },
          'ADMIN',
        )
        assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
      })

      after(async () => {
        await cloud?.close()
        release()
        await finished
      })

      const create = (token: string, flavorRef = '1', extra: Obj = {}) =>
        call(
          'POST',
          '/servers',
          { server: { name: 'vm', flavorRef, imageRef: cloud.imageId, ...extra } },
          token,
        )
      const forbidden = (message: string) => ({ forbidden: { code: 403, message } })
      const live = async (project: string): Promise<number> => (await engine.instanceUsage(project)).instances
      const mappings = async (project: string): Promise<number> => {
        const row = (await (cloud.apiDb.kysely as UntypedKysely)
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
