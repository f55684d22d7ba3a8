import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminHarness, type AdminHarness } from './admin-support.js'

describe('compute API os-hosts (deprecated, 2.1–2.42)', () => {
  let api: AdminHarness
  before(async () => {
    api = await adminHarness()
    await api.addCompute('c1')
    await api.addService('ctl', 'nova-scheduler')
    await api.addService('ctl', 'nova-osapi_compute')
    const flavor = { vcpus: 2, memory_mb: 512, root_gb: 1, ephemeral_gb: 1 }
    await api.addInstance({ host: 'c1', node: 'c1', project_id: 'p1', display_name: 'a', ...flavor })
    await api.addInstance({ host: 'c1', node: 'c1', project_id: 'p1', display_name: 'b', ...flavor })
    await api.addInstance({ host: 'c1', node: 'c1', project_id: 'p2', display_name: 'c', ...flavor })
  })
  after(() => api.close())

  it('lists the hosts of services with their topic and zone, filtered by zone; API services hidden', async () => {
    const r = await api.call('GET', '/v2.1/os-hosts')
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.hosts, [
      { host_name: 'c1', service: 'compute', zone: 'nova' },
      { host_name: 'ctl', service: 'scheduler', zone: 'internal' },
    ])
    const nova = await api.call('GET', '/v2.1/os-hosts?zone=nova')
    assert.deepEqual(
      nova.body.hosts.map((h: { host_name: string }) => h.host_name),
      ['c1'],
    )
    assert.deepEqual((await api.call('GET', '/v2.1/os-hosts?zone=nowhere')).body.hosts, [])
  })

  it("shows a compute host's totals, use and per-project use; other hosts are 404", async () => {
    const r = await api.call('GET', '/v2.1/os-hosts/c1')
    assert.equal(r.status, 200)
    const byProject = Object.fromEntries(
      r.body.host.map((e: { resource: { project: string } }) => [e.resource.project, e.resource]),
    )
    assert.deepEqual(Object.keys(byProject), ['(total)', '(used_now)', '(used_max)', 'p1', 'p2'])
    assert.deepEqual(byProject['(total)'], {
      host: 'c1',
      project: '(total)',
      cpu: 8,
      memory_mb: 16384,
      disk_gb: 100,
    })
    assert.deepEqual(byProject['(used_max)'], {
      host: 'c1',
      project: '(used_max)',
      cpu: 6,
      memory_mb: 1536,
      disk_gb: 6,
    })
    assert.equal(byProject.p1.cpu, 4)
    assert.equal(byProject.p2.memory_mb, 512)
    const other = await api.call('GET', '/v2.1/os-hosts/ctl')
    assert.equal(other.status, 404)
    assert.equal(other.body.itemNotFound.message, 'Compute host ctl could not be found.')
  })

  it('enables and disables a compute host; bad bodies are 400, unknown hosts 404, power actions 501', async () => {
    const off = await api.call('PUT', '/v2.1/os-hosts/c1', { status: 'disable' })
    assert.equal(off.status, 200)
    assert.deepEqual(off.body, { host: 'c1', status: 'disabled' })
    const services = await api.call('GET', '/v2.1/os-services?binary=nova-compute')
    assert.equal(services.body.services[0].status, 'disabled')
    assert.deepEqual(
      (await api.call('PUT', '/v2.1/os-hosts/c1', { status: 'Enable' })).body.status,
      'enabled',
    )
    assert.equal((await api.call('PUT', '/v2.1/os-hosts/c1', {})).status, 400)
    assert.equal((await api.call('PUT', '/v2.1/os-hosts/c1', { status: 'sideways' })).status, 400)
    assert.equal((await api.call('PUT', '/v2.1/os-hosts/c1', { maintenance_mode: 'on' })).status, 400)
    assert.equal((await api.call('PUT', '/v2.1/os-hosts/nope', { status: 'enable' })).status, 404)
    assert.equal((await api.call('GET', '/v2.1/os-hosts/nope/reboot')).status, 404)
    assert.equal((await api.call('GET', '/v2.1/os-hosts/c1/startup')).status, 501)
  })

  it('is admin only and gone from 2.43', async () => {
    const member = await api.call('GET', '/v2.1/os-hosts', undefined, { token: 'MEMBER_A' })
    assert.equal(member.status, 403)
    assert.equal((await api.call('GET', '/v2.1/os-hosts', undefined, { version: '2.43' })).status, 404)
    assert.equal((await api.call('GET', '/v2.1/os-hosts', undefined, { version: '2.42' })).status, 200)
  })
})
