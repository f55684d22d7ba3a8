import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { QuotaEngine } from '../../src/services/compute-api/quota/engine.js'
import { startBuildCloud, until, type BuildCloud } from '../support/build-harness.js'

const DEFAULTS = { instances: 10, cores: 20, ram: 51200 }

describe('[server-actions] soft delete with reclaim_instance_interval: restore, forceDelete, reclaim', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startBuildCloud({
      config: { DEFAULT: { reclaim_instance_interval: '3' } },
      servers: (c) => ({ quota: { mainDb: c.mainDb, defaults: DEFAULTS } }),
    })
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

  it('a soft-deleted server does not count in the quota; restoring it over the quota is 403', async () => {
    const engine = new QuotaEngine({ apiDb: cloud.apiDb, mainDb: cloud.mainDb, defaults: DEFAULTS })
    await engine.setLimit('quotas', { project_id: 'project-a' }, 'instances', 1)
    const first = await boot('quota-1')
    assert.equal((await cloud.call('DELETE', `/servers/${first.id}`)).status, 204)
    await cloud.status(first.id, 'SOFT_DELETED')
    const second = await boot('quota-2')
    const refused = await act(first.id, { restore: null })
    assert.equal(refused.status, 403, JSON.stringify(refused.body))
    assert.match(refused.body.forbidden.message, /^Quota exceeded for instances/)
    assert.equal((await cloud.call('GET', `/servers/${first.id}`)).body.server.status, 'SOFT_DELETED')
    for (const id of [first.id, second.id]) assert.equal((await act(id, { forceDelete: null })).status, 202)
    await gone(first.id)
    await gone(second.id)
    await engine.setLimit('quotas', { project_id: 'project-a' }, 'instances', 10)
  })
})
