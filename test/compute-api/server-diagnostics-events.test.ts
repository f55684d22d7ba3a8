import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { PowerState } from '../../src/services/compute/driver/power-state.js'
import { startBuildCloud, until, type BuildCloud, type Obj } from '../support/build-harness.js'

describe('[server-diagnostics-events] diagnostics over compute RPC and os-server-external-events', () => {
  let cloud: BuildCloud
  let server: string

  before(async () => {
    cloud = await startBuildCloud({ computes: ['cmp-1'] })
    const r = await cloud.call('POST', '/servers', {
      server: { name: 'vm1', flavorRef: '1', imageRef: cloud.imageId },
    })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    server = r.body.server.id
    await cloud.status(server, 'ACTIVE')
  })
  after(async () => {
    await cloud.close()
  })

  it('legacy diagnostics before 2.48 (the driver’s dict), admin only', async () => {
    const r = await cloud.call('GET', `/servers/${server}/diagnostics`, undefined, 'ADMIN')
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.equal(r.body.cpu0_time, 17300000000)
    assert.equal(r.body.vda_read, 262144)
    assert.equal(r.body.memory, 524288)
    assert.equal((await cloud.call('GET', `/servers/${server}/diagnostics`)).status, 403)
  })

  it('the standard view from 2.48', async () => {
    const r = await cloud.call('GET', `/servers/${server}/diagnostics`, undefined, 'ADMIN', '2.48')
    assert.equal(r.status, 200)
    assert.deepEqual(Object.keys(r.body).sort(), [
      'config_drive',
      'cpu_details',
      'disk_details',
      'driver',
      'hypervisor',
      'hypervisor_os',
      'memory_details',
      'nic_details',
      'num_cpus',
      'num_disks',
      'num_nics',
      'state',
      'uptime',
    ])
    assert.equal(r.body.state, 'running')
    assert.equal(r.body.num_cpus, 1)
    assert.deepEqual(r.body.cpu_details, [{ id: 0, time: 17300000000, utilisation: 15 }])
    assert.equal(r.body.nic_details[0].mac_address, '01:23:45:67:89:ab')
    assert.deepEqual(r.body.disk_details[0], {
      read_bytes: 262144,
      read_requests: 112,
      write_bytes: 5778432,
      write_requests: 488,
      errors_count: 1,
    })
    assert.deepEqual(r.body.memory_details, { maximum: 1024, used: 0 })
  })

  it('409 when the guest is not running or the instance has no host', async () => {
    cloud.drivers.get('cmp-1')!.setPowerState(server, PowerState.SHUTDOWN)
    try {
      const r = await cloud.call('GET', `/servers/${server}/diagnostics`, undefined, 'ADMIN', '2.48')
      assert.deepEqual(r.body, {
        conflictingRequest: {
          code: 409,
          message: `Cannot 'get_diagnostics' instance ${server} while it is in power_state shutdown`,
        },
      })
    } finally {
      cloud.drivers.get('cmp-1')!.setPowerState(server, PowerState.RUNNING)
    }
    const flavor = await cloud.call(
      'POST',
      '/flavors',
      { flavor: { name: 'huge', id: '99', ram: 999999, vcpus: 1, disk: 1 } },
      'ADMIN',
    )
    assert.equal(flavor.status, 200)
    const big = await cloud.call('POST', '/servers', {
      server: { name: 'big', flavorRef: '99', imageRef: cloud.imageId },
    })
    const id = big.body.server.id
    await cloud.status(id, 'ERROR')
    const r = await cloud.call('GET', `/servers/${id}/diagnostics`, undefined, 'ADMIN')
    assert.deepEqual(r.body, { conflictingRequest: { code: 409, message: `Instance ${id} is not ready` } })
  })

  it('external events: 200 when all are accepted, 207 with per-event codes, 404 when none is', async () => {
    const ok = await cloud.call(
      'POST',
      '/os-server-external-events',
      { events: [{ name: 'network-vif-plugged', server_uuid: server, tag: 'port-1' }] },
      'ADMIN',
    )
    assert.equal(ok.status, 200)
    assert.deepEqual(ok.body, {
      events: [
        { name: 'network-vif-plugged', server_uuid: server, tag: 'port-1', status: 'completed', code: 200 },
      ],
    })
    const unknown = '00000000-0000-0000-0000-000000000000'
    const mixed = await cloud.call(
      'POST',
      '/os-server-external-events',
      {
        events: [
          { name: 'network-changed', server_uuid: server },
          { name: 'network-changed', server_uuid: unknown },
          { name: 'volume-extended', server_uuid: server },
        ],
      },
      'ADMIN',
      '2.51',
    )
    assert.equal(mixed.status, 207)
    assert.deepEqual(
      mixed.body.events.map((e: Obj) => [e.status, e.code]),
      [
        ['completed', 200],
        ['failed', 404],
        ['failed', 400],
      ],
    )
    const none = await cloud.call(
      'POST',
      '/os-server-external-events',
      { events: [{ name: 'network-changed', server_uuid: unknown }] },
      'ADMIN',
    )
    assert.deepEqual(none.body, { itemNotFound: { code: 404, message: 'No instances found for any event' } })
  })

  it('validates names per microversion; members may not send events', async () => {
    const early = await cloud.call(
      'POST',
      '/os-server-external-events',
      { events: [{ name: 'power-update', server_uuid: server, tag: 'POWER_OFF' }] },
      'ADMIN',
      '2.75',
    )
    assert.equal(early.status, 400)
    const empty = await cloud.call('POST', '/os-server-external-events', { events: [] }, 'ADMIN')
    assert.equal(empty.status, 400)
    const badUuid = await cloud.call(
      'POST',
      '/os-server-external-events',
      { events: [{ name: 'network-changed', server_uuid: 'nope' }] },
      'ADMIN',
    )
    assert.equal(badUuid.status, 400)
    const member = await cloud.call('POST', '/os-server-external-events', {
      events: [{ name: 'network-changed', server_uuid: server }],
    })
    assert.equal(member.status, 403)
  })

  it('power-update (2.76) moves the instance to SHUTOFF and back to ACTIVE through its compute', async () => {
    const send = (tag: string) =>
      cloud.call(
        'POST',
        '/os-server-external-events',
        { events: [{ name: 'power-update', server_uuid: server, tag }] },
        'ADMIN',
        '2.76',
      )
    assert.equal((await send('POWER_OFF')).status, 200)
    const off = await cloud.status(server, 'SHUTOFF')
    assert.equal(off['OS-EXT-STS:power_state'], PowerState.SHUTDOWN)
    assert.equal((await send('POWER_ON')).status, 200)
    await until('ACTIVE again', async () => {
      const s = await cloud.call('GET', `/servers/${server}`, undefined, 'ADMIN')
      return s.body.server.status === 'ACTIVE' && s.body.server['OS-EXT-STS:power_state'] === 1
        ? s
        : undefined
    })
  })
})
