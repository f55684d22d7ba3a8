import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminContext } from '../../src/common/context.js'
import { silentLogger } from '../../src/common/logger.js'
import type { ConductorClient } from '../../src/services/conductor/client.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { supportEndpoints } from '../../src/services/compute/support-ops.js'
import { adminHarness, type AdminHarness } from './admin-support.js'

const UPTIME = ' 08:32:11 up 93 days, 18:25, 12 users,  load average: 0.20, 0.12, 0.14'

describe('[hypervisor-uptime] GET /os-hypervisors/{id}/uptime through nova-compute', () => {
  let api: AdminHarness
  let c1: string

  before(async () => {
    api = await adminHarness({
      compute: { getHostUptime: async (_ctx, host) => (host === 'c1' ? UPTIME : null) },
    })
    c1 = (await api.addCompute('c1')).nodeUuid
    await api.addCompute('c2')
  })
  after(() => api.close())

  it('answers the compute’s uptime with the hypervisor’s brief view (2.1–2.87)', async () => {
    const r = await api.call('GET', '/v2.1/os-hypervisors/1/uptime')
    assert.equal(r.status, 200)
    assert.deepEqual(r.body, {
      hypervisor: { id: 1, hypervisor_hostname: 'c1', state: 'up', status: 'enabled', uptime: UPTIME },
    })
    const v253 = await api.call('GET', `/v2.1/os-hypervisors/${c1}/uptime`, undefined, { version: '2.53' })
    assert.equal(v253.body.hypervisor.id, c1)
    assert.equal(
      (await api.call('GET', '/v2.1/os-hypervisors/1/uptime', undefined, { version: '2.88' })).status,
      404,
    )
    assert.equal(
      (await api.call('GET', '/v2.1/os-hypervisors/1/uptime', undefined, { token: 'MEMBER_A' })).status,
      403,
    )
    assert.equal((await api.call('GET', '/v2.1/os-hypervisors/99/uptime')).status, 404)
  })

  it('501 when the driver cannot tell; 2.88 show carries the uptime', async () => {
    const r = await api.call('GET', '/v2.1/os-hypervisors/2/uptime')
    assert.equal(r.status, 501)
    const show = await api.call('GET', `/v2.1/os-hypervisors/${c1}`, undefined, { version: '2.88' })
    assert.equal(show.body.hypervisor.uptime, UPTIME)
  })

  it('400 when the compute service is down', async () => {
    api.clock.set(new Date(Date.now() + 3600_000))
    try {
      const r = await api.call('GET', '/v2.1/os-hypervisors/1/uptime')
      assert.deepEqual(r.body, {
        badRequest: { code: 400, message: 'Compute service of c1 is unavailable at this time.' },
      })
    } finally {
      api.clock.set(new Date())
    }
  })

  it('the fake driver answers get_host_uptime as `uptime` prints it', async () => {
    const endpoints = supportEndpoints({
      host: 'c1',
      driver: new FakeDriver({ vcpus: 1, memoryMb: 512, localGb: 1 }),
      conductor: undefined as unknown as ConductorClient,
      logger: silentLogger(),
    })
    const answer = await endpoints.get_host_uptime!(adminContext(), {})
    assert.match(
      String(answer),
      /^ \d\d:\d\d:\d\d up \d+ days, \d+:\d\d, {2}1 user, {2}load average: [\d.]+, [\d.]+, [\d.]+$/,
    )
  })
})
