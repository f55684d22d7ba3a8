import { strict as assert } from 'node:assert'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { createMovesRepository } from '../../src/db/repositories/migrations.js'
import { QuotaEngine } from '../../src/services/compute-api/quota/engine.js'
import { confirmOverdueResizes } from '../../src/services/conductor/moves.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { until, type BuildCloud, type Obj } from '../support/build-harness.js'
import { startMoveCloud } from '../support/move-cloud.js'

async function boot(cloud: BuildCloud, name: string): Promise<Obj> {
  const r = await cloud.call('POST', '/servers', {
    server: { name, imageRef: cloud.imageId, flavorRef: '1', networks: 'none' },
  })
  assert.equal(r.status, 202, JSON.stringify(r.body))
  return await cloud.status(r.body.server.id, 'ACTIVE')
}

const action = (cloud: BuildCloud, id: string, body: unknown, token = 'MEMBER_A', version?: string) =>
  cloud.call('POST', `/servers/${id}/action`, body, token, version)

const hostOf = (server: Obj): string => server['OS-EXT-SRV-ATTR:host']

/** consumer → {provider → resources} of every consumer on the cloud's providers. */
async function usage(cloud: BuildCloud, consumer: string): Promise<Obj> {
  const placement = new PlacementClient(cloud.placement!.transport)
  return (await placement.allocationsOf(consumer)).allocations
}

async function events(cloud: BuildCloud, id: string, name: string): Promise<Obj> {
  const list = await cloud.call('GET', `/servers/${id}/os-instance-actions`, undefined, 'ADMIN')
  const found = (list.body.instanceActions as Obj[]).find((a) => a.action === name)
  assert.ok(found, `action ${name} recorded: ${JSON.stringify(list.body)}`)
  return await until(`events of ${name}`, async () => {
    const one = await cloud.call(
      'GET',
      `/servers/${id}/os-instance-actions/${found.request_id}`,
      undefined,
      'ADMIN',
    )
    const evs = one.body.instanceAction.events as Obj[]
    return evs.length > 0 && evs.every((e) => e.finish_time !== null) ? one.body.instanceAction : undefined
  })
}

describe('[moves] rebuild, resize (confirm, revert) and cold migration across two fake computes', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startMoveCloud()
    const small = await cloud.call(
      'POST',
      '/flavors',
      { flavor: { name: 'm1.small', id: '2', ram: 2048, vcpus: 2, disk: 20 } },
      'ADMIN',
    )
    assert.equal(small.status, 200)
  })
  after(async () => await cloud.close())

  it('rebuild: new image, name and metadata; REBUILD then ACTIVE; adminPass; events; 409 from a wrong state', async () => {
    const server = await boot(cloud, 'rb')
    const other = await cloud
      .images()
      .upload(
        { name: 'other', disk_format: 'raw', container_format: 'bare', visibility: 'public' },
        Readable.from([Buffer.alloc(512, 2)]),
      )
    const r = await action(
      cloud,
      server.id,
      { rebuild: { imageRef: other.id, name: 'rb-2', metadata: { k: 'v' }, description: 'again' } },
      'MEMBER_A',
      '2.19',
    )
    assert.equal(r.status, 202, JSON.stringify(r.body))
    assert.equal(r.body.server.image.id, other.id)
    assert.equal(r.body.server.name, 'rb-2')
    assert.equal(typeof r.body.server.adminPass, 'string')
    assert.ok(['REBUILD', 'ACTIVE'].includes(r.body.server.status))
    const done = await cloud.status(server.id, 'ACTIVE')
    assert.equal(done.image.id, other.id)
    assert.deepEqual(done.metadata, { k: 'v' })
    const manual = await action(cloud, server.id, {
      rebuild: { imageRef: cloud.imageId, 'OS-DCF:diskConfig': 'AUTO' },
    })
    assert.equal(manual.status, 202)
    assert.equal(manual.body.server['OS-DCF:diskConfig'], 'AUTO')
    assert.equal('key_name' in manual.body.server, false, 'no key before 2.54')
    await cloud.status(server.id, 'ACTIVE')
    // The rebuild answer carries the key from 2.54 and the user data from 2.57 (Nova's rebuild view).
    const v257 = await action(cloud, server.id, { rebuild: { imageRef: cloud.imageId } }, 'MEMBER_A', '2.57')
    assert.equal(v257.status, 202, JSON.stringify(v257.body))
    assert.equal(v257.body.server.key_name, null)
    assert.equal(v257.body.server.user_data, null)
    assert.equal('OS-EXT-STS:vm_state' in v257.body.server, false)
    await cloud.status(server.id, 'ACTIVE')
    const v275 = await action(cloud, server.id, { rebuild: { imageRef: cloud.imageId } }, 'ADMIN', '2.75')
    assert.equal(v275.status, 202, JSON.stringify(v275.body))
    assert.equal(v275.body.server['OS-EXT-STS:vm_state'], 'active')
    assert.equal('OS-EXT-SRV-ATTR:user_data' in v275.body.server, false)
    assert.equal(v275.body.server.user_data, null)
    assert.deepEqual(v275.body.server.server_groups, [])
    await cloud.status(server.id, 'ACTIVE')
    const rebuild = await events(cloud, server.id, 'rebuild')
    assert.deepEqual(
      rebuild.events.map((e: Obj) => [e.event, e.result]),
      [['compute_rebuild_instance', 'Success']],
    )
    const bad = await action(cloud, server.id, { rebuild: { imageRef: 'no-such-image' } })
    assert.equal(bad.status, 400)
    const big = await cloud
      .images()
      .upload(
        { name: 'big', disk_format: 'raw', container_format: 'bare', visibility: 'public', min_ram: 999999 },
        Readable.from([Buffer.alloc(512, 3)]),
      )
    const tooSmall = await action(cloud, server.id, { rebuild: { imageRef: big.id } })
    assert.equal(tooSmall.status, 400, JSON.stringify(tooSmall.body))
    await cloud.instances.update(server.id, { vm_state: 'suspended' })
    const conflict = await action(cloud, server.id, { rebuild: { imageRef: other.id } })
    assert.equal(conflict.status, 409)
    assert.match(conflict.body.conflictingRequest.message, /Cannot 'rebuild' instance .* vm_state suspended/)
    await cloud.instances.update(server.id, { vm_state: 'active' })
  })

  it('resize to another host: VERIFY_RESIZE, the migration holds the old allocation; confirm frees it (204)', async () => {
    const server = await boot(cloud, 'rs')
    const source = hostOf(server)
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '1' } })).status, 400)
    assert.equal(server['OS-DCF:diskConfig'], 'MANUAL')
    const r = await action(cloud, server.id, { resize: { flavorRef: '2', 'OS-DCF:diskConfig': 'AUTO' } })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const resized = await cloud.status(server.id, 'VERIFY_RESIZE')
    assert.equal(resized['OS-DCF:diskConfig'], 'AUTO')
    assert.notEqual(hostOf(resized), source)
    const moves = createMovesRepository(cloud.mainDb)
    const [migration] = await moves.ofInstance(server.id)
    assert.equal(migration?.status, 'finished')
    assert.equal(migration?.migration_type, 'resize')
    assert.equal(migration?.source_compute, source)
    assert.equal(migration?.dest_compute, hostOf(resized))
    const instanceUse = Object.values(await usage(cloud, server.id)) as Obj[]
    assert.deepEqual(
      instanceUse.map((a) => a.resources),
      [{ VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 }],
    )
    const migrationUse = Object.values(await usage(cloud, migration!.uuid)) as Obj[]
    assert.deepEqual(
      migrationUse.map((a) => a.resources),
      [{ VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 }],
    )
    const flavor = (await cloud.call('GET', `/servers/${server.id}`, undefined, 'MEMBER_A', '2.47')).body
      .server.flavor
    assert.equal(flavor.original_name, 'm1.small')

    const c = await action(cloud, server.id, { confirmResize: null })
    assert.equal(c.status, 204, JSON.stringify(c.body))
    await cloud.status(server.id, 'ACTIVE')
    await until('migration confirmed', async () =>
      (await moves.ofInstance(server.id))[0]?.status === 'confirmed' ? true : undefined,
    )
    assert.deepEqual(await usage(cloud, migration!.uuid), {})
    assert.equal(cloud.drivers.get(source)!.hasMigrationSource(server.id), false)
    const confirm = await events(cloud, server.id, 'confirmResize')
    assert.deepEqual(
      confirm.events.map((e: Obj) => e.event),
      ['compute_confirm_resize'],
    )
    const resize = await events(cloud, server.id, 'resize')
    assert.deepEqual(resize.events.map((e: Obj) => e.event).sort(), [
      'compute_finish_resize',
      'compute_prep_resize',
      'compute_resize_instance',
      'conductor_migrate_server',
    ])
    assert.equal((await action(cloud, server.id, { confirmResize: null })).status, 409)
  })

  it('revertResize: back to the old flavor and host, the allocations back to the instance', async () => {
    const server = await boot(cloud, 'rv')
    const source = hostOf(server)
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    await cloud.status(server.id, 'VERIFY_RESIZE')
    const r = await action(cloud, server.id, { revertResize: null })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const back = await cloud.status(server.id, 'ACTIVE')
    assert.equal(hostOf(back), source)
    assert.equal(back.flavor.id, '1')
    const moves = createMovesRepository(cloud.mainDb)
    const [migration] = await moves.ofInstance(server.id)
    assert.equal(migration?.status, 'reverted')
    const use = Object.values(await usage(cloud, server.id)) as Obj[]
    assert.deepEqual(
      use.map((a) => a.resources),
      [{ VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 }],
    )
    assert.deepEqual(await usage(cloud, migration!.uuid), {})
    assert.equal((await cloud.drivers.get(source)!.getInfo({ uuid: server.id, name: '' })).state, 1)
  })

  it('resize_confirm_window: a resize left unconfirmed past the window is confirmed by the conductor', async () => {
    const server = await boot(cloud, 'auto')
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    await cloud.status(server.id, 'VERIFY_RESIZE')
    const deps = { build: cloud.conductorBuild! }
    assert.equal(await confirmOverdueResizes(deps, 3600, new Date()), 0)
    assert.equal(await confirmOverdueResizes(deps, 1, new Date(Date.now() + 5000)), 1)
    await cloud.status(server.id, 'ACTIVE')
    await until('confirmed', async () =>
      (await createMovesRepository(cloud.mainDb).ofInstance(server.id))[0]?.status === 'confirmed'
        ? true
        : undefined,
    )
    const list = await cloud.call('GET', `/servers/${server.id}/os-instance-actions`, undefined, 'ADMIN')
    assert.ok((list.body.instanceActions as Obj[]).some((a) => a.action === 'confirmResize'))
  })

  it('delete in VERIFY_RESIZE: the source drops its copy, the migration is confirmed, no allocation is left', async () => {
    const server = await boot(cloud, 'gone')
    const source = hostOf(server)
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    await cloud.status(server.id, 'VERIFY_RESIZE')
    const [migration] = await createMovesRepository(cloud.mainDb).ofInstance(server.id)
    assert.equal((await cloud.call('DELETE', `/servers/${server.id}`)).status, 204)
    await until('server gone', async () =>
      (await cloud.call('GET', `/servers/${server.id}`)).status === 404 ? true : undefined,
    )
    await until('migration confirmed', async () =>
      (await createMovesRepository(cloud.mainDb).ofInstance(server.id))[0]?.status === 'confirmed'
        ? true
        : undefined,
    )
    assert.deepEqual(await usage(cloud, server.id), {})
    assert.deepEqual(await usage(cloud, migration!.uuid), {})
    assert.equal(cloud.drivers.get(source)!.hasMigrationSource(server.id), false)
  })

  it('after a confirmed resize, unshelve schedules the new flavor (the request spec keeps it)', async () => {
    const server = await boot(cloud, 'spec')
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    await cloud.status(server.id, 'VERIFY_RESIZE')
    assert.equal((await action(cloud, server.id, { confirmResize: null })).status, 204)
    await cloud.status(server.id, 'ACTIVE')
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 202)
    await cloud.status(server.id, 'SHELVED_OFFLOADED')
    assert.equal((await action(cloud, server.id, { unshelve: null })).status, 202)
    await cloud.status(server.id, 'ACTIVE')
    const use = Object.values(await usage(cloud, server.id)) as Obj[]
    assert.deepEqual(
      use.map((a) => a.resources),
      [{ VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 }],
    )
  })

  it('a stopped server resizes to VERIFY_RESIZE and back to SHUTOFF on confirm and on revert', async () => {
    const server = await boot(cloud, 'off')
    assert.equal((await action(cloud, server.id, { 'os-stop': null })).status, 202)
    await cloud.status(server.id, 'SHUTOFF')
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    const resized = await cloud.status(server.id, 'VERIFY_RESIZE')
    assert.equal(resized['OS-EXT-STS:power_state'], 4)
    assert.equal((await action(cloud, server.id, { confirmResize: null })).status, 204)
    await cloud.status(server.id, 'SHUTOFF')
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '1' } })).status, 202)
    await cloud.status(server.id, 'VERIFY_RESIZE')
    assert.equal((await action(cloud, server.id, { revertResize: null })).status, 202)
    const reverted = await cloud.status(server.id, 'SHUTOFF')
    assert.equal(reverted.flavor.id, '2')
  })

  it('migrate (admin only): another host, same flavor, VERIFY_RESIZE; to the same host 400', async () => {
    const server = await boot(cloud, 'mg')
    assert.equal((await action(cloud, server.id, { migrate: null })).status, 403)
    const same = await action(cloud, server.id, { migrate: { host: hostOf(server) } }, 'ADMIN', '2.56')
    assert.equal(same.status, 400)
    const r = await action(cloud, server.id, { migrate: null }, 'ADMIN')
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const moved = await cloud.status(server.id, 'VERIFY_RESIZE')
    assert.notEqual(hostOf(moved), hostOf(server))
    assert.equal(moved.flavor.id, '1')
    const [migration] = await createMovesRepository(cloud.mainDb).ofInstance(server.id)
    assert.equal(migration?.migration_type, 'migration')
    assert.equal((await action(cloud, server.id, { confirmResize: null })).status, 204)
    await cloud.status(server.id, 'ACTIVE')
  })
})

describe('[moves] one host: resize stays there with allow_resize_to_same_host, migrate has no valid host', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startMoveCloud({ computes: ['solo'], defaults: { allow_resize_to_same_host: 'true' } })
    await cloud.call(
      'POST',
      '/flavors',
      { flavor: { name: 'm1.small', id: '2', ram: 2048, vcpus: 2, disk: 20 } },
      'ADMIN',
    )
  })
  after(async () => await cloud.close())

  it('resize, revert and resize, confirm on the only host; migrate answers 400 No valid host', async () => {
    const server = await boot(cloud, 'solo')
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    const resized = await cloud.status(server.id, 'VERIFY_RESIZE')
    assert.equal(hostOf(resized), 'solo')
    assert.equal((await action(cloud, server.id, { revertResize: null })).status, 202)
    const reverted = await cloud.status(server.id, 'ACTIVE')
    assert.equal(reverted.flavor.id, '1')
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    await cloud.status(server.id, 'VERIFY_RESIZE')
    assert.equal((await action(cloud, server.id, { confirmResize: null })).status, 204)
    const confirmed = await cloud.status(server.id, 'ACTIVE')
    assert.equal(confirmed.flavor.id, '2')
    const use = Object.values(await usage(cloud, server.id)) as Obj[]
    assert.deepEqual(
      use.map((a) => a.resources),
      [{ VCPU: 2, MEMORY_MB: 2048, DISK_GB: 20 }],
    )

    const m = await action(cloud, server.id, { migrate: null }, 'ADMIN')
    assert.equal(m.status, 400, JSON.stringify(m.body))
    assert.match(m.body.badRequest.message, /No valid host was found/)
    const after = (await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')).body.server
    assert.equal(after.status, 'ACTIVE')
    assert.equal(after['OS-EXT-STS:task_state'], null)
    const [migration] = await createMovesRepository(cloud.mainDb).ofInstance(server.id)
    assert.equal(migration?.status, 'error')
    assert.deepEqual(await usage(cloud, migration!.uuid), {})
  })
})

describe('[moves] resize checks the quota of an upsize', () => {
  let cloud: BuildCloud
  const DEFAULTS = { instances: 10, cores: 20, ram: 51200 }

  before(async () => {
    cloud = await startMoveCloud({
      computes: ['q1'],
      defaults: { allow_resize_to_same_host: 'true' },
      quota: DEFAULTS,
    })
    await cloud.call(
      'POST',
      '/flavors',
      { flavor: { name: 'm1.small', id: '2', ram: 2048, vcpus: 2, disk: 20 } },
      'ADMIN',
    )
  })
  after(async () => await cloud.close())

  it("more cores than the project may have: 403 with Nova's message, the server stays ACTIVE", async () => {
    const server = await boot(cloud, 'quota')
    const engine = new QuotaEngine({ apiDb: cloud.apiDb, mainDb: cloud.mainDb, defaults: DEFAULTS })
    await engine.setLimit('quotas', { project_id: 'project-a' }, 'cores', 1)
    const r = await action(cloud, server.id, { resize: { flavorRef: '2' } })
    assert.equal(r.status, 403, JSON.stringify(r.body))
    assert.equal(
      r.body.forbidden.message,
      'Quota exceeded for cores: Requested 1, but already used 1 of 1 cores',
    )
    const now = (await cloud.call('GET', `/servers/${server.id}`)).body.server
    assert.equal(now.status, 'ACTIVE')
    await engine.setLimit('quotas', { project_id: 'project-a' }, 'cores', 2)
    assert.equal((await action(cloud, server.id, { resize: { flavorRef: '2' } })).status, 202)
    await cloud.status(server.id, 'VERIFY_RESIZE')
  })
})
