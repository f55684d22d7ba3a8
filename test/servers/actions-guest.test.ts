import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { startBuildCloud, until, type BuildCloud, type Obj } from '../support/build-harness.js'

describe('[server-actions] pause, suspend, lock, resetState, changePassword, console output, crash dump', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startBuildCloud()
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
  const act = (id: string, body: unknown, token = 'MEMBER_A', version?: string) =>
    cloud.call('POST', `/servers/${id}/action`, body, token, version)
  const conflict = (r: { status: number; body: Obj }) => {
    assert.equal(r.status, 409, JSON.stringify(r.body))
    return r.body.conflictingRequest.message as string
  }
  const actionNames = async (id: string): Promise<string[]> =>
    ((await cloud.call('GET', `/servers/${id}/os-instance-actions`)).body.instanceActions as Obj[]).map(
      (a) => a.action,
    )

  it('pause → PAUSED → unpause → ACTIVE; suspend → SUSPENDED → resume → ACTIVE; wrong states are 409', async () => {
    const { id, host } = await boot('pause')
    const driver = cloud.drivers.get(host)!
    const guest = { uuid: id, name: '' }
    assert.equal(
      conflict(await act(id, { unpause: null })),
      `Cannot 'unpause' instance ${id} while it is in vm_state active`,
    )
    assert.equal((await act(id, { pause: null })).status, 202)
    assert.equal((await cloud.status(id, 'PAUSED'))['OS-EXT-STS:power_state'], 3)
    assert.equal((await driver.getInfo(guest)).state, 3)
    assert.equal(
      conflict(await act(id, { suspend: null })),
      `Cannot 'suspend' instance ${id} while it is in vm_state paused`,
    )
    assert.equal(
      conflict(await act(id, { 'os-stop': null })),
      `Cannot 'stop' instance ${id} while it is in vm_state paused`,
    )
    assert.equal((await act(id, { unpause: null })).status, 202)
    await cloud.status(id, 'ACTIVE')
    assert.equal((await act(id, { suspend: null })).status, 202)
    assert.equal((await cloud.status(id, 'SUSPENDED'))['OS-EXT-STS:power_state'], 7)
    assert.equal(
      conflict(await act(id, { pause: null })),
      `Cannot 'pause' instance ${id} while it is in vm_state suspended`,
    )
    assert.equal((await act(id, { resume: null })).status, 202)
    assert.equal((await cloud.status(id, 'ACTIVE'))['OS-EXT-STS:power_state'], 1)
    const names = await until('resume recorded', async () => {
      const n = await actionNames(id)
      return n.includes('resume') ? n : undefined
    })
    for (const a of ['pause', 'unpause', 'suspend', 'resume']) assert.ok(names.includes(a), a)
  })

  it('lock: locked (2.9) with its reason (2.73); other actions are 409 for the owner, not for an admin', async () => {
    const { id } = await boot('lock')
    const bad = await act(id, { lock: { locked_reason: '' } }, 'MEMBER_A', '2.73')
    assert.equal(bad.status, 400)
    assert.equal((await act(id, { lock: { locked_reason: 'maintenance' } }, 'MEMBER_A', '2.73')).status, 202)
    const shown = (await cloud.call('GET', `/servers/${id}`, undefined, 'MEMBER_A', '2.73')).body.server
    assert.equal(shown.locked, true)
    assert.equal(shown.locked_reason, 'maintenance')
    assert.equal(
      (await cloud.call('GET', `/servers/${id}`, undefined, 'MEMBER_A', '2.8')).body.server.locked,
      undefined,
    )
    assert.equal(conflict(await act(id, { 'os-stop': null })), `Instance ${id} is locked`)
    assert.equal(conflict(await act(id, { reboot: { type: 'HARD' } })), `Instance ${id} is locked`)
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 409, 'delete is refused too')
    assert.equal((await act(id, { 'os-stop': null }, 'ADMIN')).status, 202, 'an admin passes the lock')
    await cloud.status(id, 'SHUTOFF')
    assert.equal((await act(id, { unlock: null })).status, 202, 'the owner unlocks its own lock')
    const unlocked = (await cloud.call('GET', `/servers/${id}`, undefined, 'MEMBER_A', '2.73')).body.server
    assert.equal(unlocked.locked, false)
    assert.equal(unlocked.locked_reason, null)
    // Locked by an admin: the owner may not unlock it (unlock_override is admin-only).
    assert.equal((await act(id, { lock: null }, 'ADMIN')).status, 202)
    const refused = await act(id, { unlock: null })
    assert.equal(refused.status, 403)
    assert.match(refused.body.forbidden.message, /os-lock-server:unlock:unlock_override/)
    assert.equal((await act(id, { unlock: null }, 'ADMIN')).status, 202)
    assert.equal((await act(id, { 'os-start': null })).status, 202)
    await cloud.status(id, 'ACTIVE')
    const names = await actionNames(id)
    assert.equal(names.filter((n) => n === 'lock').length, 2)
    assert.equal(names.filter((n) => n === 'unlock').length, 2)
  })

  it('lock before 2.73 ignores a locked_reason in its body', async () => {
    const { id } = await boot('lock-old')
    assert.equal((await act(id, { lock: { locked_reason: 'ignored' } }, 'MEMBER_A', '2.72')).status, 202)
    const shown = (await cloud.call('GET', `/servers/${id}`, undefined, 'MEMBER_A', '2.73')).body.server
    assert.equal(shown.locked, true)
    assert.equal(shown.locked_reason, null)
    assert.equal((await act(id, { unlock: null })).status, 202)
  })

  it('os-resetState (admin only) sets active or error and clears the task', async () => {
    const { id } = await boot('reset')
    assert.equal((await act(id, { 'os-resetState': { state: 'error' } })).status, 403)
    assert.equal((await act(id, { 'os-resetState': { state: 'stopped' } }, 'ADMIN')).status, 400)
    await cloud.instances.update(id, { task_state: 'rebooting' })
    assert.equal((await act(id, { 'os-resetState': { state: 'error' } }, 'ADMIN')).status, 202)
    const s = (await cloud.call('GET', `/servers/${id}`)).body.server
    assert.equal(s.status, 'ERROR')
    assert.equal(s['OS-EXT-STS:task_state'], null)
    assert.equal((await act(id, { 'os-resetState': { state: 'active' } }, 'ADMIN')).status, 202)
    assert.equal((await cloud.call('GET', `/servers/${id}`)).body.server.status, 'ACTIVE')
    assert.ok((await actionNames(id)).includes('resetState'))
    assert.equal((await act(id, { injectNetworkInfo: null })).status, 403)
    assert.equal((await act(id, { injectNetworkInfo: null }, 'ADMIN')).status, 202)
    const gone = await act(id, { resetNetwork: null })
    assert.equal(gone.status, 410)
    assert.equal(gone.body.computeFault.code, 410)
  })

  it('changePassword sets the guest password; a stopped server is 409; the schema wants adminPass', async () => {
    const { id, host } = await boot('pw')
    assert.equal((await act(id, { changePassword: {} })).status, 400)
    assert.equal((await act(id, { changePassword: { adminPass: 's3cret' } })).status, 202)
    assert.equal(cloud.drivers.get(host)!.adminPasswordOf(id), 's3cret')
    assert.equal((await cloud.call('GET', `/servers/${id}`)).body.server['OS-EXT-STS:task_state'], null)
    cloud.drivers.get(host)!.failNext('setAdminPassword', new Error('the agent did not answer'))
    const failed = await act(id, { changePassword: { adminPass: 'x' } })
    assert.equal(conflict(failed), `Failed to set admin password on ${id} because the agent did not answer`)
    assert.equal((await cloud.call('GET', `/servers/${id}`)).body.server.status, 'ACTIVE', 'task cleared')
    await act(id, { 'os-stop': null })
    await cloud.status(id, 'SHUTOFF')
    assert.equal(
      conflict(await act(id, { changePassword: { adminPass: 'x' } })),
      `Cannot 'changePassword' instance ${id} while it is in vm_state stopped`,
    )
  })

  it('os-getConsoleOutput: all of it (no length, null, -1), the last N lines, none for 0', async () => {
    const { id, host } = await boot('console')
    const out = async (body: Obj) => {
      const r = await act(id, { 'os-getConsoleOutput': body })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return r.body.output as string
    }
    const all = await out({})
    assert.ok(all.split('\n').length > 3, `unlimited output has more than 3 lines: ${all}`)
    assert.equal(await out({ length: null }), all)
    assert.equal(await out({ length: -1 }), all)
    assert.equal(await out({ length: '-1' }), all)
    assert.equal((await out({ length: 3 })).split('\n').length, 3)
    assert.equal((await out({ length: '5' })).split('\n').length, 5)
    assert.equal(await out({ length: 0 }), '')
    assert.equal((await act(id, { 'os-getConsoleOutput': { length: -2 } })).status, 400)
    assert.equal((await act(id, { 'os-getConsoleOutput': { length: 'ten' } })).status, 400)
    assert.equal((await act(id, { 'os-getConsoleOutput': { lines: 3 } })).status, 400)
    await cloud.drivers.get(host)!.destroy({ uuid: id, name: '' })
    const missing = await act(id, { 'os-getConsoleOutput': {} })
    assert.equal(missing.status, 404)
    assert.equal(missing.body.itemNotFound.message, 'Guest does not have a console available.')
  })

  it('trigger_crash_dump exists from 2.17; the guest gets an NMI; a stopped server is 409', async () => {
    const { id, host } = await boot('dump')
    assert.equal((await act(id, { trigger_crash_dump: null }, 'MEMBER_A', '2.16')).status, 404)
    assert.equal((await act(id, { trigger_crash_dump: {} }, 'MEMBER_A', '2.17')).status, 400)
    assert.equal((await act(id, { trigger_crash_dump: null }, 'MEMBER_A', '2.17')).status, 202)
    await until('crash dump', async () =>
      cloud.drivers.get(host)!.crashDumpsOf(id) === 1 ? true : undefined,
    )
    await act(id, { 'os-stop': null })
    await cloud.status(id, 'SHUTOFF')
    assert.equal(
      conflict(await act(id, { trigger_crash_dump: null }, 'MEMBER_A', '2.17')),
      `Cannot 'trigger_crash_dump' instance ${id} while it is in vm_state stopped`,
    )
  })
})
