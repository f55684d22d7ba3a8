import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { UntypedKysely } from '../../src/db/index.js'
import { createBuildRequestsRepository } from '../../src/db/repositories/build-requests.js'
import type { systemClock } from '../../src/common/clock.js'
import { createFromBuildRequest } from '../../src/services/conductor/build-requests.js'
import { enforceInstanceDeadlines } from '../../src/services/conductor/index.js'
import { QuotaEngine } from '../../src/services/compute-api/quota/engine.js'
import { startBuildCloud, until, type BuildCloud, type Obj } from '../support/build-harness.js'

const count = async (cloud: BuildCloud, table: string, uuid: string): Promise<number> => {
  const row = (await (cloud.apiDb.kysely as UntypedKysely)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('instance_uuid', '=', uuid)
    .executeTakeFirst()) as { n: unknown }
  return Number(row.n)
}

describe('[build-requests] the API writes build requests; list, show and delete them before they reach the cell', () => {
  let cloud: BuildCloud
  let dir: string
  const DEFAULTS = { instances: 10, cores: 20, ram: 51200 }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nova-build-requests-'))
    // No conductor: the servers stay build requests.
    cloud = await startBuildCloud({
      apiOnly: {
        mainUrl: `sqlite:///${path.join(dir, 'main.sqlite')}`,
        apiUrl: `sqlite:///${path.join(dir, 'api.sqlite')}`,
      },
      servers: (c) => ({ quota: { mainDb: c.mainDb, defaults: DEFAULTS } }),
    })
  })

  after(async () => {
    await cloud.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('create writes build_request, request_spec and instance_mapping, no cell instance; show and list answer BUILD', async () => {
    const created = await cloud.call('POST', '/servers', {
      server: {
        name: 'pending',
        flavorRef: '1',
        imageRef: cloud.imageId,
        networks: 'none',
        metadata: { a: 'b' },
      },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    const id = created.body.server.id as string
    assert.equal(await count(cloud, 'build_requests', id), 1)
    assert.equal(await count(cloud, 'request_specs', id), 1)
    assert.equal(await count(cloud, 'instance_mappings', id), 1)
    assert.equal(await cloud.instances.get(id), undefined)
    const shown = await cloud.call('GET', `/servers/${id}`, undefined, 'ADMIN')
    assert.equal(shown.status, 200, JSON.stringify(shown.body))
    const server = shown.body.server as Obj
    assert.equal(server.status, 'BUILD')
    assert.equal(server['OS-EXT-STS:task_state'], 'scheduling')
    assert.equal(server['OS-EXT-SRV-ATTR:host'], null)
    assert.equal(server.name, 'pending')
    // Never updated yet: `updated` is the creation time, as Nova's view (Tempest's schema wants a string).
    assert.equal(server.updated, server.created)
    assert.match(server.updated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    assert.deepEqual(server.metadata, { a: 'b' })
    assert.equal(server.image.id, cloud.imageId)
    assert.deepEqual(
      (await cloud.call('GET', '/servers')).body.servers.map((s: Obj) => s.id),
      [id],
    )
    const detail = (await cloud.call('GET', '/servers/detail?status=BUILD')).body.servers as Obj[]
    assert.deepEqual(
      detail.map((s) => [s.id, s.status]),
      [[id, 'BUILD']],
    )
    assert.equal((await cloud.call('GET', '/servers/detail?status=ACTIVE')).body.servers.length, 0)
    assert.equal((await cloud.call('GET', `/servers/${id}`, undefined, 'MEMBER_B')).status, 404)
    // Metadata and tags are read from the build request; changes wait for the cell (409, as Nova's state check).
    assert.deepEqual((await cloud.call('GET', `/servers/${id}/metadata`)).body, { metadata: { a: 'b' } })
    const md = await cloud.call('POST', `/servers/${id}/metadata`, { metadata: { c: 'd' } })
    assert.equal(md.status, 409)
    assert.equal(
      md.body.conflictingRequest.message,
      `Cannot 'update metadata' instance ${id} while it is in vm_state building`,
    )
    const tag = await cloud.call('PUT', `/servers/${id}/tags/blue`, undefined, 'MEMBER_A', '2.26')
    assert.equal(tag.status, 409)
    assert.equal(
      (await cloud.call('PUT', `/servers/${id}/tags/blue`, undefined, 'MEMBER_B', '2.26')).status,
      404,
    )
    // A rename changes the build request.
    const renamed = await cloud.call('PUT', `/servers/${id}`, { server: { name: 'renamed' } })
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body))
    assert.equal(renamed.body.server.name, 'renamed')
    assert.equal((await cloud.call('GET', `/servers/${id}`)).body.server.name, 'renamed')
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
  })

  it('build requests count against the quota; deleting one deletes its rows and frees the quota at once', async () => {
    const engine = new QuotaEngine({ apiDb: cloud.apiDb, mainDb: cloud.mainDb, defaults: DEFAULTS })
    const created = await cloud.call('POST', '/servers', {
      server: { name: 'q', flavorRef: '1', imageRef: cloud.imageId, min_count: 2, max_count: 2 },
    })
    assert.equal(created.status, 202)
    assert.deepEqual(await engine.instanceUsage('project-a'), { instances: 2, cores: 2, ram: 2048 })
    const ids = ((await cloud.call('GET', '/servers')).body.servers as Obj[]).map((s) => s.id as string)
    for (const id of ids) assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    assert.deepEqual(await engine.instanceUsage('project-a'), { instances: 0, cores: 0, ram: 0 })
    for (const id of ids) {
      for (const table of ['build_requests', 'request_specs', 'instance_mappings'])
        assert.equal(await count(cloud, table, id), 0, table)
      assert.equal((await cloud.call('GET', `/servers/${id}`)).status, 404)
    }
  })
})

describe('[build-requests] the conductor turns build requests into cell instances; deletes racing it leave nothing behind', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startBuildCloud({ driver: () => ({ spawnDelayMs: 20 }) })
  })

  after(async () => {
    await cloud.close()
  })

  it('once scheduled the instance is in the cell and its build request gone; NoValidHost: ERROR in the cell', async () => {
    const created = await cloud.call('POST', '/servers', {
      server: { name: 'real', flavorRef: '1', imageRef: cloud.imageId, networks: 'none' },
    })
    const id = created.body.server.id as string
    const server = await cloud.status(id, 'ACTIVE')
    assert.equal(await count(cloud, 'build_requests', id), 0)
    assert.equal(await count(cloud, 'instance_mappings', id), 1)
    assert.ok(await cloud.instances.get(id))
    assert.ok(['cmp-1', 'cmp-2'].includes(server['OS-EXT-SRV-ATTR:host']))
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)

    await cloud.call(
      'POST',
      '/flavors',
      { flavor: { name: 'huge', id: '9', ram: 65536, vcpus: 1, disk: 1 } },
      'ADMIN',
    )
    const big = await cloud.call('POST', '/servers', {
      server: { name: 'big', flavorRef: '9', imageRef: cloud.imageId, networks: 'none' },
    })
    const errored = await cloud.status(big.body.server.id, 'ERROR')
    assert.match(errored.fault.message, /^No valid host was found/)
    assert.equal(await count(cloud, 'build_requests', errored.id), 0)
    const row = await cloud.instances.get(errored.id)
    assert.equal(row?.vm_state, 'error')
    assert.equal((await cloud.call('DELETE', `/servers/${errored.id}`)).status, 204)
  })

  it('deletes right after create, racing the conductor: no orphan instance, no allocation, no guest', async () => {
    const ids: string[] = []
    for (let i = 0; i < 8; i++) {
      const created = await cloud.call('POST', '/servers', {
        server: { name: `race-${i}`, flavorRef: '1', imageRef: cloud.imageId, networks: 'none' },
      })
      assert.equal(created.status, 202)
      const id = created.body.server.id as string
      ids.push(id)
      if (i % 2 === 1) await new Promise((r) => setTimeout(r, 5 * i))
      assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    }
    await until('every raced server gone', async () => {
      const live = await cloud.instances.list({ uuids: ids })
      return live.length === 0 ? true : undefined
    })
    await until('every guest gone', async () => {
      for (const d of cloud.drivers.values())
        if ((await d.listInstanceUuids()).some((u) => ids.includes(u))) return
      return true
    })
    // Builds cast before the delete landed may still be on their way: give them a moment, then check again.
    await new Promise((r) => setTimeout(r, 300))
    assert.deepEqual(await cloud.instances.list({ uuids: ids }), [])
    for (const id of ids) {
      assert.equal(await count(cloud, 'build_requests', id), 0)
      assert.deepEqual((await cloud.placement!.call('GET', `/allocations/${id}`)).body.allocations, {}, id)
      assert.equal((await cloud.call('GET', `/servers/${id}`)).status, 404)
    }
    for (const d of cloud.drivers.values())
      assert.deepEqual(
        (await d.listInstanceUuids()).filter((u) => ids.includes(u)),
        [],
      )
  })

  it('a build request the conductor never took (message lost) is put in ERROR by the deadline reconciler', async () => {
    const uuid = '2c1d0e9f-8a7b-4c6d-9e5f-4a3b2c1d0e9f'
    await createBuildRequestsRepository(cloud.apiDb).create(cloud.apiDb.kysely as never, {
      uuid,
      project_id: 'project-a',
      user_id: 'user-project-a',
      display_name: 'forgotten',
      vm_state: 'building',
      task_state: 'scheduling',
    })
    const later = { now: () => new Date(Date.now() + 10_000) }
    const result = await enforceInstanceDeadlines(cloud.conductorBuild!, later as typeof systemClock, {
      buildTimeoutS: 5,
      deleteTimeoutS: 0,
    })
    assert.deepEqual(result.errored, [uuid])
    const server = await cloud.status(uuid, 'ERROR')
    assert.equal(server.fault.message, 'Instance build timed out. Set to error state.')
    assert.equal(await count(cloud, 'build_requests', uuid), 0)
    assert.equal((await cloud.call('DELETE', `/servers/${uuid}`)).status, 204)
  })

  it('the delete that wins the build request while the conductor creates the instance: the conductor deletes it again', async () => {
    const deps = cloud.conductorBuild!
    const real = createBuildRequestsRepository(cloud.apiDb)
    const uuid = '0b7f3c2e-5a1d-4c6b-9e8f-1a2b3c4d5e6f'
    await real.create(cloud.apiDb.kysely as never, {
      uuid,
      project_id: 'project-a',
      user_id: 'user-project-a',
      display_name: 'lost-race',
      vm_state: 'building',
      task_state: 'scheduling',
    })
    // The API's delete lands between the conductor's read of the build request and its delete of it.
    const racing = {
      ...real,
      get: real.get,
      create: real.create,
      list: real.list,
      destroy: async (u: string) => (await real.destroy(u)) && false,
    }
    const made = await createFromBuildRequest({ ...deps, buildRequests: racing }, uuid, { host: 'cmp-1' })
    assert.equal(made, undefined)
    assert.equal(await cloud.instances.get(uuid), undefined)
    assert.equal(await count(cloud, 'build_requests', uuid), 0)
  })
})
