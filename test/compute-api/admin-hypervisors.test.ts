import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminHarness, type AdminHarness } from './admin-support.js'

describe('compute API os-hypervisors and os-availability-zone', () => {
  let api: AdminHarness
  let nodeUuid: string
  before(async () => {
    api = await adminHarness()
    nodeUuid = (await api.addCompute('c1')).nodeUuid
    await api.addCompute('c2')
    await api.addService('ctl', 'nova-scheduler')
    await api.addInstance({ host: 'c1', node: 'c1', project_id: 'p', display_name: 'vm1' })
  })
  after(() => api.close())

  it('lists hypervisors: int ids before 2.53, uuids after; paging from 2.33', async () => {
    const r = await api.call('GET', '/v2.1/os-hypervisors')
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.hypervisors[0], {
      id: 1,
      hypervisor_hostname: 'c1',
      state: 'up',
      status: 'enabled',
    })
    assert.equal(r.body.hypervisors.length, 2)
    const paged = await api.call('GET', '/v2.1/os-hypervisors?limit=1', undefined, { version: '2.33' })
    assert.equal(paged.body.hypervisors.length, 1)
    assert.match(paged.body.hypervisors_links[0].href, /marker=1/)
    const next = await api.call('GET', '/v2.1/os-hypervisors?limit=1&marker=1', undefined, {
      version: '2.33',
    })
    assert.equal(next.body.hypervisors[0].hypervisor_hostname, 'c2')
    const v253 = await api.call('GET', '/v2.1/os-hypervisors?hypervisor_hostname_pattern=c1', undefined, {
      version: '2.53',
    })
    assert.deepEqual(v253.body.hypervisors, [
      { id: nodeUuid, hypervisor_hostname: 'c1', state: 'up', status: 'enabled' },
    ])
  })

  it('detail field sets: cpu_info string < 2.28, object from 2.28; stats gone at 2.88', async () => {
    const old = await api.call('GET', '/v2.1/os-hypervisors/detail')
    const h = old.body.hypervisors[0]
    assert.equal(typeof h.cpu_info, 'string')
    assert.equal(h.vcpus, 8)
    assert.equal(h.memory_mb, 16384)
    assert.deepEqual(h.service, { host: 'c1', id: 1, disabled_reason: null })
    const v228 = await api.call('GET', '/v2.1/os-hypervisors/1', undefined, { version: '2.28' })
    assert.deepEqual(v228.body.hypervisor.cpu_info, { arch: 'x86_64', model: 'fake' })
    const v288 = await api.call('GET', `/v2.1/os-hypervisors/${nodeUuid}?with_servers=true`, undefined, {
      version: '2.88',
    })
    assert.equal(v288.status, 200)
    assert.deepEqual(Object.keys(v288.body.hypervisor).sort(), [
      'host_ip',
      'hypervisor_hostname',
      'hypervisor_type',
      'hypervisor_version',
      'id',
      'servers',
      'service',
      'state',
      'status',
      'uptime',
    ])
    assert.equal(v288.body.hypervisor.servers[0].name, 'vm1')
    assert.equal(typeof v288.body.hypervisor.service.id, 'string')
    const bad = await api.call('GET', '/v2.1/os-hypervisors/1', undefined, { version: '2.53' })
    assert.equal(bad.status, 400)
    assert.equal((await api.call('GET', '/v2.1/os-hypervisors/99')).status, 404)
  })

  it('statistics, search and servers until their last microversions', async () => {
    const s = await api.call('GET', '/v2.1/os-hypervisors/statistics')
    assert.equal(s.body.hypervisor_statistics.count, 2)
    assert.equal(s.body.hypervisor_statistics.vcpus, 16)
    assert.equal(
      (await api.call('GET', '/v2.1/os-hypervisors/statistics', undefined, { version: '2.88' })).status,
      404,
    )
    const found = await api.call('GET', '/v2.1/os-hypervisors/c2/search')
    assert.equal(found.body.hypervisors.length, 1)
    assert.equal((await api.call('GET', '/v2.1/os-hypervisors/zz/search')).status, 404)
    const servers = await api.call('GET', '/v2.1/os-hypervisors/c/servers')
    assert.equal(servers.body.hypervisors[0].servers[0].name, 'vm1')
    assert.equal(servers.body.hypervisors[1].servers, undefined)
    assert.equal(
      (await api.call('GET', '/v2.1/os-hypervisors/c/servers', undefined, { version: '2.53' })).status,
      404,
    )
  })

  it('non-admins are refused', async () => {
    const r = await api.call('GET', '/v2.1/os-hypervisors', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 403)
    assert.equal(
      (await api.call('GET', '/v2.1/os-availability-zone/detail', undefined, { token: 'MEMBER_A' })).status,
      403,
    )
  })

  it('availability zones: the default zone for anyone; detail with hosts and the internal zone', async () => {
    const r = await api.call('GET', '/v2.1/os-availability-zone', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.availabilityZoneInfo, [
      { zoneName: 'nova', zoneState: { available: true }, hosts: null },
    ])
    const d = await api.call('GET', '/v2.1/os-availability-zone/detail')
    const names = d.body.availabilityZoneInfo.map((z: { zoneName: string }) => z.zoneName)
    assert.deepEqual(names, ['internal', 'nova'])
    const nova = d.body.availabilityZoneInfo[1]
    assert.deepEqual(Object.keys(nova.hosts).sort(), ['c1', 'c2'])
    assert.equal(nova.hosts.c1['nova-compute'].available, true)
    assert.equal(nova.hosts.c1['nova-compute'].active, true)
    assert.equal(d.body.availabilityZoneInfo[0].hosts.ctl['nova-scheduler'].active, true)
  })
})
