import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminHarness, type AdminHarness } from './admin-support.js'

describe('compute API os-services', () => {
  let api: AdminHarness
  before(async () => {
    api = await adminHarness()
    await api.addCompute('c1')
    await api.addService('ctl', 'nova-scheduler')
    await api.addService('ctl', 'nova-osapi_compute')
  })
  after(() => api.close())

  it('lists services (API services hidden) with 2.1, 2.11 and 2.53 field sets', async () => {
    const r = await api.call('GET', '/v2.1/os-services')
    assert.equal(r.status, 200)
    assert.deepEqual(
      r.body.services.map((s: { binary: string }) => s.binary),
      ['nova-compute', 'nova-scheduler'],
    )
    const c = r.body.services[0]
    assert.deepEqual(Object.keys(c).sort(), [
      'binary',
      'disabled_reason',
      'host',
      'id',
      'state',
      'status',
      'updated_at',
      'zone',
    ])
    assert.equal(typeof c.id, 'number')
    assert.equal(c.zone, 'nova')
    assert.equal(c.state, 'up')
    assert.equal(c.status, 'enabled')
    assert.match(c.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    assert.equal(r.body.services[1].zone, 'internal')
    const v211 = await api.call('GET', '/v2.1/os-services?binary=nova-compute', undefined, {
      version: '2.11',
    })
    assert.equal(v211.body.services.length, 1)
    assert.equal(v211.body.services[0].forced_down, false)
    const v253 = await api.call('GET', '/v2.1/os-services?host=c1', undefined, { version: '2.53' })
    assert.match(v253.body.services[0].id, /^[0-9a-f-]{36}$/)
  })

  it('a service without a recent heartbeat is down', async () => {
    api.clock.set(new Date(Date.now() + 120_000))
    const r = await api.call('GET', '/v2.1/os-services?binary=nova-compute')
    assert.equal(r.body.services[0].state, 'down')
    api.clock.set(new Date())
  })

  it('legacy actions: disable-log-reason, enable, force-down (2.11), unknown action 404', async () => {
    const off = await api.call('PUT', '/v2.1/os-services/disable-log-reason', {
      host: 'c1',
      binary: 'nova-compute',
      disabled_reason: 'maintenance',
    })
    assert.equal(off.status, 200)
    assert.deepEqual(off.body.service, {
      host: 'c1',
      binary: 'nova-compute',
      status: 'disabled',
      disabled_reason: 'maintenance',
    })
    const list = await api.call('GET', '/v2.1/os-services?binary=nova-compute')
    assert.equal(list.body.services[0].status, 'disabled')
    assert.equal(list.body.services[0].disabled_reason, 'maintenance')
    const on = await api.call('PUT', '/v2.1/os-services/enable', { host: 'c1', binary: 'nova-compute' })
    assert.deepEqual(on.body.service, { host: 'c1', binary: 'nova-compute', status: 'enabled' })
    const missing = await api.call('PUT', '/v2.1/os-services/disable', {
      host: 'nope',
      binary: 'nova-compute',
    })
    assert.equal(missing.status, 404)
    const early = await api.call('PUT', '/v2.1/os-services/force-down', {
      host: 'c1',
      binary: 'nova-compute',
      forced_down: true,
    })
    assert.equal(early.status, 404)
    const down = await api.call(
      'PUT',
      '/v2.1/os-services/force-down',
      { host: 'c1', binary: 'nova-compute', forced_down: true },
      { version: '2.11' },
    )
    assert.equal(down.status, 200)
    assert.deepEqual(down.body.service, { host: 'c1', binary: 'nova-compute', forced_down: true })
    const shown = await api.call('GET', '/v2.1/os-services?host=c1', undefined, { version: '2.11' })
    assert.equal(shown.body.services[0].state, 'down')
    assert.equal(shown.body.services[0].forced_down, true)
    const bad = await api.call('PUT', '/v2.1/os-services/disable', {
      host: 'c1',
      binary: 'nova-compute',
      x: 1,
    })
    assert.equal(bad.status, 400)
  })

  it('2.53: PUT by uuid returns the full service; refuses empty updates, reasons without disable, non-computes', async () => {
    const v = { version: '2.53' }
    const list = await api.call('GET', '/v2.1/os-services', undefined, v)
    const [compute, scheduler] = list.body.services
    const r = await api.call(
      'PUT',
      `/v2.1/os-services/${compute.id}`,
      { status: 'disabled', disabled_reason: 'why', forced_down: false },
      v,
    )
    assert.equal(r.status, 200)
    assert.equal(r.body.service.id, compute.id)
    assert.equal(r.body.service.status, 'disabled')
    assert.equal(r.body.service.disabled_reason, 'why')
    assert.equal(r.body.service.forced_down, false)
    assert.equal(r.body.service.state, 'up')
    assert.equal((await api.call('PUT', `/v2.1/os-services/${compute.id}`, {}, v)).status, 400)
    const reasonOnly = await api.call('PUT', `/v2.1/os-services/${compute.id}`, { disabled_reason: 'x' }, v)
    assert.equal(reasonOnly.status, 400)
    const sched = await api.call('PUT', `/v2.1/os-services/${scheduler.id}`, { status: 'disabled' }, v)
    assert.equal(sched.status, 400)
    assert.equal(
      (await api.call('PUT', '/v2.1/os-services/not-a-uuid', { status: 'enabled' }, v)).status,
      400,
    )
    const enabled = await api.call('PUT', `/v2.1/os-services/${compute.id}`, { status: 'enabled' }, v)
    assert.equal(enabled.body.service.disabled_reason, null)
  })

  it('non-admins are refused', async () => {
    const r = await api.call('GET', '/v2.1/os-services', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 403)
    assert.equal(
      r.body.forbidden.message,
      "Policy doesn't allow os_compute_api:os-services:list to be performed.",
    )
    const u = await api.call(
      'PUT',
      '/v2.1/os-services/enable',
      { host: 'c1', binary: 'nova-compute' },
      { token: 'MEMBER_A' },
    )
    assert.equal(u.status, 403)
  })

  it('DELETE: 409 while the host has instances; then 204, and the compute node goes with it', async () => {
    const { service } = await api.addCompute('c2')
    const uuid = await api.addInstance({ host: 'c2', node: 'c2', project_id: 'p' })
    const refused = await api.call('DELETE', `/v2.1/os-services/${service.id}`)
    assert.equal(refused.status, 409)
    const k = api.mainDb.kysely as never as { updateTable: (t: string) => any } // eslint-disable-line @typescript-eslint/no-explicit-any
    await k.updateTable('instances').set({ deleted: 1 }).where('uuid', '=', uuid).execute()
    const r = await api.call('DELETE', `/v2.1/os-services/${service.uuid}`, undefined, { version: '2.53' })
    assert.equal(r.status, 204)
    assert.equal((await api.admin.computeNodes.list({ host: 'c2' })).length, 0)
    const gone = await api.call('DELETE', `/v2.1/os-services/${service.id}`)
    assert.equal(gone.status, 404)
  })
})
