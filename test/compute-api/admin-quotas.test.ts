import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminHarness, type AdminHarness } from './admin-support.js'

describe('compute API os-quota-sets, os-quota-class-sets and limits', () => {
  let api: AdminHarness
  before(async () => {
    api = await adminHarness()
    for (const name of ['a', 'b'])
      await api.addInstance({
        project_id: 'project-a',
        user_id: 'user-project-a',
        vcpus: 2,
        memory_mb: 1024,
        display_name: name,
      })
  })
  after(() => api.close())

  it('shows the defaults with the microversion field sets', async () => {
    const r = await api.call('GET', '/v2.1/os-quota-sets/project-a', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 200)
    assert.equal(r.body.quota_set.id, 'project-a')
    assert.equal(r.body.quota_set.instances, 10)
    assert.equal(r.body.quota_set.cores, 20)
    assert.equal(r.body.quota_set.ram, 51200)
    assert.equal(r.body.quota_set.fixed_ips, -1)
    assert.equal(r.body.quota_set.injected_file_path_bytes, 255)
    const v257 = await api.call('GET', '/v2.1/os-quota-sets/project-a', undefined, { version: '2.57' })
    assert.deepEqual(Object.keys(v257.body.quota_set).sort(), [
      'cores',
      'id',
      'instances',
      'key_pairs',
      'metadata_items',
      'ram',
      'server_group_members',
      'server_groups',
    ])
    const d = await api.call('GET', '/v2.1/os-quota-sets/anything/defaults', undefined, { token: 'MEMBER_B' })
    assert.equal(d.status, 200)
    assert.equal(d.body.quota_set.id, 'anything')
  })

  it('updates (admin only), refuses limits below usage unless forced, deletes back to defaults', async () => {
    const denied = await api.call(
      'PUT',
      '/v2.1/os-quota-sets/project-a',
      { quota_set: { instances: 5 } },
      { token: 'MEMBER_A' },
    )
    assert.equal(denied.status, 403)
    const r = await api.call('PUT', '/v2.1/os-quota-sets/project-a', {
      quota_set: { instances: 5, cores: '8' },
    })
    assert.equal(r.status, 200)
    assert.equal(r.body.quota_set.id, undefined)
    assert.equal(r.body.quota_set.instances, 5)
    assert.equal(r.body.quota_set.cores, 8)
    const below = await api.call('PUT', '/v2.1/os-quota-sets/project-a', { quota_set: { instances: 1 } })
    assert.equal(below.status, 400)
    assert.match(
      below.body.badRequest.message,
      /must be greater than or equal to already used and reserved 2/,
    )
    const forced = await api.call('PUT', '/v2.1/os-quota-sets/project-a', {
      quota_set: { instances: 1, force: true },
    })
    assert.equal(forced.body.quota_set.instances, 1)
    assert.equal(
      (await api.call('PUT', '/v2.1/os-quota-sets/project-a', { quota_set: { instances: -2 } })).status,
      400,
    )
    assert.equal(
      (await api.call('PUT', '/v2.1/os-quota-sets/project-a', { quota_set: { bogus: 1 } })).status,
      400,
    )
    const network = await api.call(
      'PUT',
      '/v2.1/os-quota-sets/project-a',
      { quota_set: { floating_ips: 1 } },
      { version: '2.36' },
    )
    assert.equal(network.status, 400)
    const user = await api.call('PUT', '/v2.1/os-quota-sets/project-a?user_id=u1', {
      quota_set: { cores: 50 },
    })
    assert.equal(user.status, 400)
    assert.match(user.body.badRequest.message, /must be less than or equal to 8/)
    const userOk = await api.call('PUT', '/v2.1/os-quota-sets/project-a?user_id=u1', {
      quota_set: { cores: 4 },
    })
    assert.equal(userOk.body.quota_set.cores, 4)
    assert.equal((await api.call('GET', '/v2.1/os-quota-sets/project-a?user_id=u1')).body.quota_set.cores, 4)
    assert.equal((await api.call('DELETE', '/v2.1/os-quota-sets/project-a')).status, 202)
    const after = await api.call('GET', '/v2.1/os-quota-sets/project-a')
    assert.equal(after.body.quota_set.instances, 10)
    assert.equal(after.body.quota_set.cores, 20)
  })

  it('detail counts usage; other projects are refused to members', async () => {
    const r = await api.call('GET', '/v2.1/os-quota-sets/project-a/detail', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.quota_set.instances, { limit: 10, in_use: 2, reserved: 0 })
    assert.deepEqual(r.body.quota_set.cores, { limit: 20, in_use: 4, reserved: 0 })
    assert.deepEqual(r.body.quota_set.ram, { limit: 51200, in_use: 2048, reserved: 0 })
    const other = await api.call('GET', '/v2.1/os-quota-sets/project-a', undefined, { token: 'MEMBER_B' })
    assert.equal(other.status, 403)
  })

  it('quota classes: default class shown and updated by admins; defaults follow; 2.50 field set', async () => {
    const r = await api.call('GET', '/v2.1/os-quota-class-sets/default')
    assert.equal(r.body.quota_class_set.id, 'default')
    assert.equal(r.body.quota_class_set.server_groups, undefined)
    assert.equal(r.body.quota_class_set.floating_ips, -1)
    const v250 = await api.call('GET', '/v2.1/os-quota-class-sets/default', undefined, { version: '2.50' })
    assert.equal(v250.body.quota_class_set.server_groups, 10)
    assert.equal(v250.body.quota_class_set.floating_ips, undefined)
    assert.equal(
      (await api.call('GET', '/v2.1/os-quota-class-sets/default', undefined, { token: 'MEMBER_A' })).status,
      403,
    )
    const u = await api.call('PUT', '/v2.1/os-quota-class-sets/default', {
      quota_class_set: { instances: 20 },
    })
    assert.equal(u.status, 200)
    assert.equal(u.body.quota_class_set.instances, 20)
    assert.equal((await api.call('GET', '/v2.1/os-quota-sets/x/defaults')).body.quota_set.instances, 20)
    await api.call('PUT', '/v2.1/os-quota-class-sets/default', { quota_class_set: { instances: 10 } })
  })

  it('limits: absolute values and usage, keys by microversion, other projects for admins only', async () => {
    const r = await api.call('GET', '/v2.1/limits', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.limits.rate, [])
    const a = r.body.limits.absolute
    assert.equal(a.maxTotalInstances, 10)
    assert.equal(a.maxTotalCores, 20)
    assert.equal(a.maxTotalRAMSize, 51200)
    assert.equal(a.totalInstancesUsed, 2)
    assert.equal(a.totalCoresUsed, 4)
    assert.equal(a.totalRAMUsed, 2048)
    assert.equal(a.maxImageMeta, 128)
    assert.equal(a.maxTotalFloatingIps, -1)
    const latest = await api.call('GET', '/v2.1/limits', undefined, { version: '2.57', token: 'MEMBER_A' })
    assert.deepEqual(Object.keys(latest.body.limits.absolute).sort(), [
      'maxServerGroupMembers',
      'maxServerGroups',
      'maxServerMeta',
      'maxTotalCores',
      'maxTotalInstances',
      'maxTotalKeypairs',
      'maxTotalRAMSize',
      'totalCoresUsed',
      'totalInstancesUsed',
      'totalRAMUsed',
      'totalServerGroupsUsed',
    ])
    const other = await api.call('GET', '/v2.1/limits?tenant_id=project-a')
    assert.equal(other.body.limits.absolute.totalInstancesUsed, 2)
    const refused = await api.call('GET', '/v2.1/limits?tenant_id=project-b', undefined, {
      token: 'MEMBER_A',
    })
    assert.equal(refused.status, 403)
  })
})
