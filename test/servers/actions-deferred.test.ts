import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { startBuildCloud, until, type BuildCloud } from '../support/build-harness.js'

describe('[server-actions] soft delete with reclaim_instance_interval: restore, forceDelete, reclaim', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startBuildCloud({ config: { DEFAULT: { reclaim_instance_interval: '3' } } })
  })
  after(async () => {
    await cloud.close()
  })

  const boot = async (name: string): Promise<{ id: string; host: string }> => {
    const r = await cloud.call('POST', '/servers', {
      server: { name, flavorRef: '1', imageRef: cloud.imageId },
    })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const id = r.body.server.id as string
    return { id, host: (await cloud.status(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'] as string }
  }
  const act = (id: string, body: unknown, token = 'MEMBER_A') =>
    cloud.call('POST', `/servers/${id}/action`, body, token)
  const gone = (id: string) =>
    until(`${id} gone`, async () =>
      (await cloud.call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
    )

  it('DELETE makes a server SOFT_DELETED (guest off); restore brings it back ACTIVE', async () => {
    const { id, host } = await boot('soft')
    const restoreActive = await act(id, { restore: null })
    assert.equal(restoreActive.status, 409)
    assert.equal(
      restoreActive.body.conflictingRequest.message,
      `Cannot 'restore' instance ${id} while it is in vm_state active`,
    )
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    const soft = await cloud.status(id, 'SOFT_DELETED')
    assert.equal(soft['OS-EXT-STS:power_state'], 4)
    assert.equal((await cloud.drivers.get(host)!.getInfo({ uuid: id, name: '' })).state, 4)
    const listed = async (query: string) =>
      ((await cloud.call('GET', `/servers${query}`)).body.servers as { id: string }[]).map((x) => x.id)
    assert.ok(!(await listed('')).includes(id), 'a soft-deleted server is not listed')
    assert.ok(!(await listed('/detail')).includes(id))
    assert.ok((await listed('?status=SOFT_DELETED')).includes(id), 'unless asked for by status')
    assert.equal((await act(id, { restore: null })).status, 202)
    const back = await cloud.status(id, 'ACTIVE')
    assert.equal(back['OS-EXT-STS:power_state'], 1)
    const actions = (await cloud.call('GET', `/servers/${id}/os-instance-actions`)).body.instanceActions
    assert.deepEqual(
      actions.map((a: { action: string }) => a.action),
      ['restore', 'delete', 'create'],
    )
    assert.equal(
      (await act(id, { forceDelete: null })).status,
      202,
      'forceDelete of a live server deletes it',
    )
    await gone(id)
  })

  it('forceDelete of a SOFT_DELETED server deletes it now; a locked one is 409 for its owner', async () => {
    const { id, host } = await boot('force')
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    await cloud.status(id, 'SOFT_DELETED')
    assert.equal((await act(id, { lock: null }, 'ADMIN')).status, 202)
    const locked = await act(id, { forceDelete: null })
    assert.equal(locked.status, 409)
    assert.equal(locked.body.conflictingRequest.message, `Instance ${id} is locked`)
    assert.equal((await act(id, { forceDelete: null }, 'ADMIN')).status, 202)
    await gone(id)
    assert.deepEqual(
      await cloud.drivers
        .get(host)!
        .listInstanceUuids()
        .then((u) => u.includes(id)),
      false,
    )
  })

  it('nova-compute reclaims a soft-deleted server after the interval', async () => {
    const { id, host } = await boot('reclaim')
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    await cloud.status(id, 'SOFT_DELETED')
    await gone(id)
    assert.equal((await cloud.drivers.get(host)!.listInstanceUuids()).includes(id), false)
  })
})
