import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
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

const allocations = async (cloud: BuildCloud, consumer: string) =>
  (await new PlacementClient(cloud.placement!.transport).allocationsOf(consumer)).allocations

describe('[moves] shelve / unshelve, rescue / unrescue, createImage on fake computes with an image service', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startMoveCloud()
  })
  after(async () => await cloud.close())

  it('shelve (offload at once): SHELVED_OFFLOADED, no host, no allocations, a <name>-shelved image; unshelve: ACTIVE, image gone', async () => {
    const server = await boot(cloud, 'sh')
    const r = await action(cloud, server.id, { shelve: null })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const shelved = await cloud.status(server.id, 'SHELVED_OFFLOADED')
    assert.equal(shelved['OS-EXT-SRV-ATTR:host'], null)
    assert.deepEqual(await allocations(cloud, server.id), {})
    const record = await cloud.instances.get(server.id)
    const imageId = record!.system_metadata.shelved_image_id!
    const image = await cloud.images().show(imageId)
    assert.equal(image.name, 'sh-shelved')
    assert.equal(image.status, 'active')
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 409)

    const u = await action(cloud, server.id, { unshelve: null })
    assert.equal(u.status, 202, JSON.stringify(u.body))
    const active = await cloud.status(server.id, 'ACTIVE')
    assert.ok(active['OS-EXT-SRV-ATTR:host'])
    assert.equal(Object.keys(await allocations(cloud, server.id)).length, 1)
    await until('shelved image deleted', async () =>
      (await cloud
        .images()
        .show(imageId)
        .then(() => false)
        .catch(() => true))
        ? true
        : undefined,
    )
    const after = await cloud.instances.get(server.id)
    assert.equal(after!.system_metadata.shelved_image_id, undefined)
  })

  it('unshelve 2.91 to a host: unknown host 400; no room anywhere: still SHELVED_OFFLOADED, task cleared', async () => {
    const server = await boot(cloud, 'nohost')
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 202)
    await cloud.status(server.id, 'SHELVED_OFFLOADED')
    const unknown = await action(cloud, server.id, { unshelve: { host: 'nowhere' } }, 'ADMIN', '2.91')
    assert.equal(unknown.status, 400, JSON.stringify(unknown.body))
    assert.equal(unknown.body.badRequest.message, 'Compute host nowhere could not be found.')
    const member = await action(cloud, server.id, { unshelve: { host: 'cmp-1' } }, 'MEMBER_A', '2.91')
    assert.equal(member.status, 403)
    await cloud.instances.update(server.id, { availability_zone: null })
    const r = await action(
      cloud,
      server.id,
      { unshelve: { availability_zone: 'no-such-zone' } },
      'MEMBER_A',
      '2.77',
    )
    assert.equal(r.status, 202)
    await until('task cleared', async () => {
      const s = (await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')).body.server
      return s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
    assert.equal((await cloud.call('GET', `/servers/${server.id}`)).body.server.status, 'SHELVED_OFFLOADED')
    const to = await action(cloud, server.id, { unshelve: { host: 'cmp-2' } }, 'ADMIN', '2.91')
    assert.equal(to.status, 202, JSON.stringify(to.body))
    const active = await cloud.status(server.id, 'ACTIVE')
    assert.equal(active['OS-EXT-SRV-ATTR:host'], 'cmp-2')
  })

  it('deleting a SHELVED_OFFLOADED server deletes its shelved image too', async () => {
    const server = await boot(cloud, 'del')
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 202)
    await cloud.status(server.id, 'SHELVED_OFFLOADED')
    const imageId = (await cloud.instances.get(server.id))!.system_metadata.shelved_image_id!
    assert.equal((await cloud.images().show(imageId)).status, 'active')
    assert.equal((await cloud.call('DELETE', `/servers/${server.id}`)).status, 204)
    await until('server gone', async () =>
      (await cloud.call('GET', `/servers/${server.id}`)).status === 404 ? true : undefined,
    )
    await assert.rejects(cloud.images().show(imageId))
  })

  it('shelveOffload is for admins and SHELVED only; unshelve 2.77 to an availability zone', async () => {
    const server = await boot(cloud, 'so')
    assert.equal((await action(cloud, server.id, { shelveOffload: null }, 'ADMIN')).status, 409)
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 202)
    await cloud.status(server.id, 'SHELVED_OFFLOADED')
    const u = await action(cloud, server.id, { unshelve: { availability_zone: 'nova' } }, 'MEMBER_A', '2.77')
    assert.equal(u.status, 202, JSON.stringify(u.body))
    await cloud.status(server.id, 'ACTIVE')
  })

  it('rescue: RESCUE with the adminPass; unrescue: ACTIVE; unrescue of an active server 409', async () => {
    const server = await boot(cloud, 'rq')
    const host = server['OS-EXT-SRV-ATTR:host']
    const r = await action(cloud, server.id, { rescue: { adminPass: 'Secret123' } })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(r.body, { adminPass: 'Secret123' })
    await cloud.status(server.id, 'RESCUE')
    assert.equal(cloud.drivers.get(host)!.isRescued(server.id), true)
    const generated = await action(cloud, server.id, { rescue: null })
    assert.equal(generated.status, 409)
    assert.equal((await action(cloud, server.id, { unrescue: null })).status, 202)
    await cloud.status(server.id, 'ACTIVE')
    assert.equal(cloud.drivers.get(host)!.isRescued(server.id), false)
    const again = await action(cloud, server.id, { unrescue: null })
    assert.equal(again.status, 409)
    assert.match(again.body.conflictingRequest.message, /Cannot 'unrescue' instance .* vm_state active/)
    const r2 = await action(cloud, server.id, { rescue: null })
    assert.equal(r2.status, 200)
    assert.equal(typeof r2.body.adminPass, 'string')
    await cloud.status(server.id, 'RESCUE')
  })

  it('createImage: 2.45 answers {image_id}, before it a Location; the image becomes active from the guest disk', async () => {
    const server = await boot(cloud, 'ci')
    const r = await action(
      cloud,
      server.id,
      { createImage: { name: 'snap-1', metadata: { a: 'b' } } },
      'MEMBER_A',
      '2.45',
    )
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const id = r.body.image_id as string
    const image = await until('snapshot active', async () => {
      const i = await cloud.images().show(id)
      return i.status === 'active' ? i : undefined
    })
    assert.equal(image.name, 'snap-1')
    assert.equal(image.instance_uuid, server.id)
    assert.equal(image.image_type, 'snapshot')
    assert.equal(image.a, 'b')
    await until('task cleared', async () => {
      const s = (await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')).body.server
      return s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
    const old = await cloud.call('POST', `/servers/${server.id}/action`, { createImage: { name: 'snap-2' } })
    assert.equal(old.status, 202)
    const list = await cloud.call('GET', `/servers/${server.id}/os-instance-actions`, undefined, 'ADMIN')
    assert.ok((list.body.instanceActions as Obj[]).some((a) => a.action === 'createImage'))
  })

  it('createBackup: image_type backup with its backup_type; rotation keeps the newest ones only', async () => {
    const server = await boot(cloud, 'bk')
    const backups: string[] = []
    for (const n of [1, 2]) {
      const r = await action(
        cloud,
        server.id,
        { createBackup: { name: `bk-${n}`, backup_type: 'daily', rotation: 1 } },
        'MEMBER_A',
        '2.45',
      )
      assert.equal(r.status, 202, JSON.stringify(r.body))
      backups.push(r.body.image_id)
      await until('backup done', async () => {
        const s = (await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')).body.server
        return s['OS-EXT-STS:task_state'] === null ? s : undefined
      })
    }
    const latest = await cloud.images().show(backups[1]!)
    assert.equal(latest.status, 'active')
    assert.equal(latest.image_type, 'backup')
    assert.equal(latest.backup_type, 'daily')
    await until('older backup rotated away', async () =>
      (await cloud
        .images()
        .show(backups[0]!)
        .then(() => false)
        .catch(() => true))
        ? true
        : undefined,
    )
    const bad = await action(cloud, server.id, { createBackup: { name: 'x', backup_type: 'daily' } })
    assert.equal(bad.status, 400)
  })

  it('a stopped server: rebuild leaves it SHUTOFF, createImage works, shelve → SHELVED_OFFLOADED', async () => {
    const server = await boot(cloud, 'st')
    assert.equal((await action(cloud, server.id, { 'os-stop': null })).status, 202)
    await cloud.status(server.id, 'SHUTOFF')
    assert.equal((await action(cloud, server.id, { rebuild: { imageRef: cloud.imageId } })).status, 202)
    await until('rebuilt', async () => {
      const s = (await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')).body.server
      return s.status === 'SHUTOFF' && s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
    const r = await action(cloud, server.id, { createImage: { name: 'stopped-snap' } }, 'MEMBER_A', '2.45')
    assert.equal(r.status, 202)
    await until('snapshot active', async () =>
      (await cloud.images().show(r.body.image_id)).status === 'active' ? true : undefined,
    )
    await until('task cleared', async () => {
      const s = (await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')).body.server
      return s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
    // Nova validates no body for shelve: Tempest sends {"shelve": {}}.
    assert.equal((await action(cloud, server.id, { shelve: {} })).status, 202)
    await cloud.status(server.id, 'SHELVED_OFFLOADED')
  })
})

describe('[moves] shelved_offload_time -1: SHELVED keeps its host until shelveOffload; unshelve in place', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startMoveCloud({ computes: ['one'], defaults: { shelved_offload_time: '-1' } })
  })
  after(async () => await cloud.close())

  it('shelve → SHELVED on its host with its allocations; unshelve → ACTIVE there; shelve, shelveOffload → offloaded', async () => {
    const server = await boot(cloud, 'keep')
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 202)
    const shelved = await cloud.status(server.id, 'SHELVED')
    assert.equal(shelved['OS-EXT-SRV-ATTR:host'], 'one')
    assert.equal(Object.keys(await allocations(cloud, server.id)).length, 1)
    assert.equal((await action(cloud, server.id, { unshelve: null })).status, 202)
    const active = await cloud.status(server.id, 'ACTIVE')
    assert.equal(active['OS-EXT-SRV-ATTR:host'], 'one')
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 202)
    await cloud.status(server.id, 'SHELVED')
    assert.equal((await action(cloud, server.id, { shelveOffload: null })).status, 403)
    assert.equal((await action(cloud, server.id, { shelveOffload: null }, 'ADMIN')).status, 202)
    await cloud.status(server.id, 'SHELVED_OFFLOADED')
    assert.deepEqual(await allocations(cloud, server.id), {})
  })
})

describe('[moves] shelved_offload_time 1: the compute offloads a SHELVED instance after a second', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startMoveCloud({ computes: ['lazy'], defaults: { shelved_offload_time: '1' } })
  })
  after(async () => await cloud.close())

  it('shelve → SHELVED, then SHELVED_OFFLOADED by the periodic task', async () => {
    const server = await boot(cloud, 'later')
    assert.equal((await action(cloud, server.id, { shelve: null })).status, 202)
    await cloud.status(server.id, 'SHELVED')
    const offloaded = await cloud.status(server.id, 'SHELVED_OFFLOADED')
    assert.equal(offloaded['OS-EXT-SRV-ATTR:host'], null)
    assert.deepEqual(await allocations(cloud, server.id), {})
  })
})
