import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminContext } from '../../src/common/context.js'
import { startBuildCloud, until, type BuildCloud, type Obj } from '../support/build-harness.js'

describe('[server-actions] POST /servers/{id}/action: dispatcher, reboot, stop and start end to end', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startBuildCloud()
  })
  after(async () => {
    await cloud.close()
  })

  const boot = async (name: string, token = 'MEMBER_A'): Promise<string> => {
    const r = await cloud.call(
      'POST',
      '/servers',
      { server: { name, flavorRef: '1', imageRef: cloud.imageId } },
      token,
    )
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const id = r.body.server.id as string
    await cloud.status(id, 'ACTIVE')
    return id
  }
  const act = (id: string, body: unknown, token = 'MEMBER_A', version?: string) =>
    cloud.call('POST', `/servers/${id}/action`, body, token, version)
  const conflict = (r: { status: number; body: Obj }) => {
    assert.equal(r.status, 409, JSON.stringify(r.body))
    return r.body.conflictingRequest.message as string
  }
  /** The actions of the server, newest first, with their events (as the API shows them to an admin). */
  const actionsOf = async (id: string): Promise<Obj[]> => {
    const list = (await cloud.call('GET', `/servers/${id}/os-instance-actions`, undefined, 'ADMIN')).body
      .instanceActions as Obj[]
    return Promise.all(
      list.map(
        async (a) =>
          (await cloud.call('GET', `/servers/${id}/os-instance-actions/${a.request_id}`, undefined, 'ADMIN'))
            .body.instanceAction as Obj,
      ),
    )
  }
  const eventsDone = (id: string, action: string, event: string) =>
    until(`${action} ${event} done`, async () => {
      const a = (await actionsOf(id)).find((x) => x.action === action)
      const e = a?.events.find((x: Obj) => x.event === event)
      return e?.finish_time !== null && e !== undefined ? e : undefined
    })

  it('refuses bodies, actions and servers Nova refuses', async () => {
    const id = await boot('disp')
    assert.equal((await act(id, { foo: null })).body.badRequest.message, 'There is no such action: foo')
    assert.equal((await act(id, { 'os-stop': null, 'os-start': null })).status, 400)
    assert.equal((await act(id, [])).status, 400)
    const bad = await act(id, { reboot: { type: 'WARM' } })
    assert.equal(bad.status, 400)
    assert.match(bad.body.badRequest.message, /Invalid input for field\/attribute type/)
    assert.equal((await act(id, { reboot: {} })).status, 400)
    assert.equal((await act('00000000-0000-0000-0000-000000000000', { 'os-stop': null })).status, 404)
    assert.equal((await act(id, { 'os-stop': null }, 'MEMBER_B')).status, 404, "another project's server")
  })

  it("stop → SHUTOFF (power_state 4), start → ACTIVE; each in the wrong state is a 409 with Nova's message", async () => {
    const id = await boot('power')
    assert.equal(
      conflict(await act(id, { 'os-start': null })),
      `Cannot 'start' instance ${id} while it is in vm_state active`,
    )
    assert.equal((await act(id, { 'os-stop': null })).status, 202)
    const stopped = await cloud.status(id, 'SHUTOFF')
    assert.equal(stopped['OS-EXT-STS:power_state'], 4)
    assert.equal(stopped['OS-EXT-STS:vm_state'], 'stopped')
    assert.equal(
      conflict(await act(id, { 'os-stop': null })),
      `Cannot 'stop' instance ${id} while it is in vm_state stopped`,
    )
    assert.equal(
      conflict(await act(id, { reboot: { type: 'SOFT' } })),
      `Cannot 'reboot' instance ${id} while it is in vm_state stopped`,
    )
    assert.equal((await act(id, { 'os-start': null })).status, 202)
    const started = await cloud.status(id, 'ACTIVE')
    assert.equal(started['OS-EXT-STS:power_state'], 1)
    const host = started['OS-EXT-SRV-ATTR:host'] as string
    const driver = cloud.drivers.get(host)!
    assert.equal((await driver.getInfo({ uuid: id, name: '' })).state, 1)
    const stop = await eventsDone(id, 'stop', 'compute_stop_instance')
    assert.equal(stop.result, 'Success')
    assert.equal(stop.host, undefined, 'host only from 2.62')
    const start = await eventsDone(id, 'start', 'compute_start_instance')
    assert.equal(start.result, 'Success')
    const names = (await actionsOf(id)).map((a) => a.action)
    assert.deepEqual(names.slice(0, 3).sort(), ['create', 'start', 'stop'])
  })

  it('reboot SOFT and HARD go back to ACTIVE; the task states show REBOOT / HARD_REBOOT meanwhile', async () => {
    const id = await boot('reboot')
    const host = (await cloud.status(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'] as string
    assert.equal((await act(id, { reboot: { type: 'soft' } })).status, 202)
    await eventsDone(id, 'reboot', 'compute_reboot_instance')
    await cloud.status(id, 'ACTIVE')
    const console = await cloud.drivers.get(host)!.getConsoleOutput({ uuid: id, name: '' })
    assert.match(console, /soft reboot/)
    // The API shows a pending reboot's task state as the status.
    await cloud.instances.update(id, { task_state: 'rebooting_hard' })
    assert.equal((await cloud.call('GET', `/servers/${id}`)).body.server.status, 'HARD_REBOOT')
    await cloud.instances.update(id, { task_state: 'rebooting' })
    assert.equal((await cloud.call('GET', `/servers/${id}`)).body.server.status, 'REBOOT')
    assert.equal(
      conflict(await act(id, { reboot: { type: 'SOFT' } })),
      `Cannot 'reboot' instance ${id} while it is in task_state rebooting`,
    )
    // A HARD reboot may take over a pending soft one (task_states.ALLOW_REBOOT).
    assert.equal((await act(id, { reboot: { type: 'HARD' } })).status, 202)
    await until('hard reboot done', async () => {
      const s = (await cloud.call('GET', `/servers/${id}`)).body.server
      return s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
    // HARD from SHUTOFF starts the guest (ALLOW_HARD_REBOOT).
    await act(id, { 'os-stop': null })
    await cloud.status(id, 'SHUTOFF')
    assert.equal((await act(id, { reboot: { type: 'HARD' } })).status, 202)
    const back = await cloud.status(id, 'ACTIVE')
    assert.equal(back['OS-EXT-STS:power_state'], 1)
  })

  it('two concurrent stops: one 202, one 409, and one transition', async () => {
    const id = await boot('race')
    const [a, b] = await Promise.all([act(id, { 'os-stop': null }), act(id, { 'os-stop': null })])
    assert.deepEqual([a.status, b.status].sort(), [202, 409], `${a.status} ${b.status}`)
    const loser = a.status === 409 ? a : b
    assert.match(
      loser.body.conflictingRequest.message,
      new RegExp(`^Cannot 'stop' instance ${id} while it is in (task_state powering-off|vm_state stopped)$`),
    )
    await cloud.status(id, 'SHUTOFF')
    assert.equal((await actionsOf(id)).filter((x) => x.action === 'stop').length, 1)
  })

  it('_sync_power_states stops what runs behind a STOPPED instance, and an ACTIVE one whose guest went off', async () => {
    const id = await boot('sync')
    const host = (await cloud.status(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'] as string
    const driver = cloud.drivers.get(host)!
    const guest = { uuid: id, name: '' }
    await act(id, { 'os-stop': null })
    await cloud.status(id, 'SHUTOFF')
    await driver.powerOn(guest)
    await driver.pause(guest)
    await cloud.computes.get(host)!.syncPowerStates(adminContext())
    assert.equal(
      (await driver.getInfo(guest)).state,
      4,
      'a paused guest of a STOPPED instance is powered off',
    )
    await driver.powerOn(guest)
    await cloud.computes.get(host)!.syncPowerStates(adminContext())
    assert.equal(
      (await driver.getInfo(guest)).state,
      4,
      'a running guest of a STOPPED instance is powered off',
    )
    const stopped = (await cloud.call('GET', `/servers/${id}`)).body.server
    assert.equal(stopped.status, 'SHUTOFF')
    assert.equal(stopped['OS-EXT-STS:power_state'], 4)
    await act(id, { 'os-start': null })
    await cloud.status(id, 'ACTIVE')
    await driver.suspend(guest)
    await cloud.computes.get(host)!.syncPowerStates(adminContext())
    const off = (await cloud.call('GET', `/servers/${id}`)).body.server
    assert.equal(
      off.status,
      'SHUTOFF',
      'an ACTIVE instance whose guest was suspended behind its back is stopped',
    )
    assert.equal(off['OS-EXT-STS:power_state'], 4)
  })

  it("an admin may act on another project's server", async () => {
    const id = await boot('policy')
    const r = await cloud.call('POST', `/servers/${id}/action`, { 'os-stop': null }, 'ADMIN')
    assert.equal(r.status, 202, 'admin may act on any server')
    await cloud.status(id, 'SHUTOFF')
  })

  it('a failing driver leaves a fault and clears the task (stop); a failed reboot is ERROR', async () => {
    const id = await boot('failing')
    const host = (await cloud.status(id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'] as string
    cloud.drivers.get(host)!.failNext('powerOff', new Error('the guest would not stop'))
    assert.equal((await act(id, { 'os-stop': null })).status, 202)
    const ev = await eventsDone(id, 'stop', 'compute_stop_instance')
    assert.equal(ev.result, 'Error')
    const s = await until('task cleared', async () => {
      const x = (await cloud.call('GET', `/servers/${id}`, undefined, 'ADMIN')).body.server
      return x['OS-EXT-STS:task_state'] === null ? x : undefined
    })
    assert.equal(s.status, 'ACTIVE')
    cloud.drivers.get(host)!.failNext('reboot', new Error('reset failed'))
    assert.equal((await act(id, { reboot: { type: 'HARD' } })).status, 202)
    const failed = await cloud.status(id, 'ERROR')
    assert.equal(failed.fault.message, 'reset failed')
    // From ERROR: stop is allowed (vm_states ACTIVE, ERROR).
    assert.equal((await act(id, { 'os-stop': null })).status, 202)
    await cloud.status(id, 'SHUTOFF')
  })
})
