import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { createComputeNodesRepository, createServicesRepository } from '../../src/db/index.js'
import { createMovesRepository } from '../../src/db/repositories/migrations.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { auditAllocations } from '../../src/services/scheduler/allocation-audit.js'
import { until, type BuildCloud, type Obj } from '../support/build-harness.js'
import { startMoveCloud } from '../support/move-cloud.js'

const hostOf = (server: Obj): string => server['OS-EXT-SRV-ATTR:host']

describe('[evacuate] evacuate from a host whose nova-compute is down, and its clean-up when it comes back', () => {
  let cloud: BuildCloud
  const action = (id: string, body: unknown, version?: string, token = 'ADMIN') =>
    cloud.call('POST', `/servers/${id}/action`, body, token, version)
  const services = () => createServicesRepository(cloud.mainDb)
  const moves = () => createMovesRepository(cloud.mainDb)

  async function boot(name: string): Promise<Obj> {
    const r = await cloud.call('POST', '/servers', {
      server: { name, imageRef: cloud.imageId, flavorRef: '1', networks: 'none' },
    })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    return await cloud.status(r.body.server.id, 'ACTIVE')
  }

  const other = (host: string): string => (host === 'cmp-1' ? 'cmp-2' : 'cmp-1')

  async function forceDown(host: string, down: boolean): Promise<void> {
    const service = await services().getByHostAndBinary(host, 'nova-compute')
    await services().update(service!.id, { forcedDown: down })
  }

  /** The host's nova-compute stops (its guests stay in its driver) and the operator forces it down. */
  async function hostFails(host: string): Promise<void> {
    await cloud.computes.get(host)!.stop(1000)
    await forceDown(host, true)
  }

  /** nova-compute starts again on the host, with the guests its driver kept; then it is un-forced. */
  async function hostReturns(host: string): Promise<void> {
    const compute = cloud.makeCompute(host, { driver: cloud.drivers.get(host)! })
    cloud.computes.set(host, compute)
    await compute.start()
    await forceDown(host, false)
  }

  async function nodeUuid(host: string): Promise<string> {
    const [node] = await createComputeNodesRepository(cloud.mainDb).list({ host })
    return node!.uuid
  }

  async function providersOf(uuid: string): Promise<string[]> {
    const placement = new PlacementClient(cloud.placement!.transport)
    return Object.keys((await placement.allocationsOf(uuid)).allocations).sort()
  }

  const guestsOn = async (host: string): Promise<string[]> =>
    await cloud.drivers.get(host)!.listInstanceUuids()

  before(async () => {
    cloud = await startMoveCloud()
  })
  after(async () => await cloud.close())

  it('refuses: admin only, source up (400), schema per microversion, unknown or same host, wrong state', async () => {
    const server = await boot('ev-refused')
    const source = hostOf(server)
    const member = await action(server.id, { evacuate: {} }, '2.29', 'MEMBER_A')
    assert.equal(member.status, 403)
    const up = await action(server.id, { evacuate: {} }, '2.29')
    assert.equal(up.status, 400, JSON.stringify(up.body))
    assert.equal(up.body.badRequest.message, `Compute service of ${source} is still in use.`)
    // 2.1–2.13: onSharedStorage is required; adminPass on shared storage is refused.
    assert.equal((await action(server.id, { evacuate: {} })).status, 400)
    const sharedPass = await action(server.id, { evacuate: { onSharedStorage: true, adminPass: 'x' } })
    assert.equal(sharedPass.status, 400)
    assert.equal(sharedPass.body.badRequest.message, "admin password can't be changed on existing disk")
    // 2.14 dropped onSharedStorage; 2.29 added force (which needs a host); 2.68 removed it.
    assert.equal((await action(server.id, { evacuate: { onSharedStorage: false } }, '2.14')).status, 400)
    assert.equal((await action(server.id, { evacuate: { force: true } }, '2.28')).status, 400)
    const forceNoHost = await action(server.id, { evacuate: { force: true } }, '2.29')
    assert.equal(forceNoHost.status, 400)
    assert.equal(forceNoHost.body.badRequest.message, "Can't force to a non-provided destination")
    assert.equal((await action(server.id, { evacuate: { force: false } }, '2.68')).status, 400)
    assert.equal((await action(server.id, { evacuate: { host: 'bad host!' } }, '2.29')).status, 400)
    const unknown = await action(server.id, { evacuate: { host: 'nowhere' } }, '2.29')
    assert.equal(unknown.status, 404)
    assert.equal(unknown.body.itemNotFound.message, 'Compute host nowhere not found.')
    const same = await action(server.id, { evacuate: { host: source } }, '2.29')
    assert.equal(same.status, 400)
    assert.equal(same.body.badRequest.message, "The target host can't be the same one.")
    assert.equal((await action(server.id, { pause: null }, undefined, 'MEMBER_A')).status, 202)
    await cloud.status(server.id, 'PAUSED')
    const paused = await action(server.id, { evacuate: {} }, '2.29')
    assert.equal(paused.status, 409)
    assert.match(paused.body.conflictingRequest.message, /Cannot 'evacuate' instance .* vm_state paused/)
    assert.deepEqual(await moves().ofInstance(server.id), [], 'no migration was recorded')
    assert.equal((await cloud.call('DELETE', `/servers/${server.id}`)).status, 204)
  })

  it('evacuates to the scheduler’s host: ACTIVE there, both allocations held; the source cleans up on return', async () => {
    const server = await boot('ev-sched')
    const source = hostOf(server)
    const dest = other(source)
    await hostFails(source)
    const r = await action(server.id, { evacuate: {} }, '2.29')
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(r.body, {}, 'no adminPass from 2.14')
    const moved = await until('evacuated', async () => {
      const s = await cloud.status(server.id, 'ACTIVE')
      return hostOf(s) === dest ? s : undefined
    })
    assert.equal(moved['OS-EXT-SRV-ATTR:hypervisor_hostname'], dest)
    assert.equal(moved['OS-EXT-STS:task_state'], null)
    const [migration] = await moves().ofInstance(server.id)
    assert.equal(migration?.migration_type, 'evacuation')
    assert.equal(migration?.status, 'done')
    assert.equal(migration?.source_compute, source)
    assert.equal(migration?.dest_compute, dest)
    assert.ok((await guestsOn(dest)).includes(server.id), 'the guest runs on the destination')
    assert.ok((await guestsOn(source)).includes(server.id), 'the dead host still has its guest')
    // As Nova: the instance holds its source allocation until the source compute cleans up.
    assert.deepEqual(await providersOf(server.id), [await nodeUuid(source), await nodeUuid(dest)].sort())
    assert.deepEqual(await providersOf(migration!.uuid), [])
    // The allocation audit (nova-scheduler's periodic, nova-manage placement audit --delete) leaves it too.
    const audit = await auditAllocations(
      {
        mainDb: cloud.mainDb,
        apiDb: cloud.apiDb,
        placement: new PlacementClient(cloud.placement!.transport),
        logger: cloud.logger,
      },
      { delete: true, heal: false },
    )
    assert.deepEqual(
      audit.orphans.filter((o) => o.consumer === server.id),
      [],
    )
    assert.deepEqual(await providersOf(server.id), [await nodeUuid(source), await nodeUuid(dest)].sort())
    const list = await cloud.call('GET', `/servers/${server.id}/os-instance-actions`, undefined, 'ADMIN')
    assert.equal(list.body.instanceActions[0].action, 'evacuate')

    await hostReturns(source)
    assert.equal(
      (await guestsOn(source)).includes(server.id),
      false,
      'the source destroyed the evacuated guest',
    )
    assert.ok((await guestsOn(dest)).includes(server.id))
    assert.deepEqual(await providersOf(server.id), [await nodeUuid(dest)])
    assert.equal((await moves().ofInstance(server.id))[0]?.status, 'completed')
    const after = await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')
    assert.equal(after.body.server.status, 'ACTIVE')
    assert.equal(hostOf(after.body.server), dest)
    assert.equal((await cloud.call('DELETE', `/servers/${server.id}`)).status, 204)
  })

  it('2.1 with onSharedStorage false answers the adminPass; a forced host (2.29 force) skips the scheduler', async () => {
    const a = await boot('ev-v21')
    const source = hostOf(a)
    const dest = other(source)
    await hostFails(source)
    const v21 = await action(a.id, { evacuate: { onSharedStorage: 'False', adminPass: 'S3cret' } })
    assert.equal(v21.status, 200, JSON.stringify(v21.body))
    assert.deepEqual(v21.body, { adminPass: 'S3cret' })
    const generated = await until('a on dest', async () => {
      const s = await cloud.status(a.id, 'ACTIVE')
      return hostOf(s) === dest ? s : undefined
    })
    assert.equal(hostOf(generated), dest)
    await hostReturns(source)

    // The server is now on `dest`: make that host fail and force it back to `source`.
    await hostFails(dest)
    const forced = await action(a.id, { evacuate: { host: source, force: true } }, '2.29')
    assert.equal(forced.status, 200, JSON.stringify(forced.body))
    await until('a back on source', async () => {
      const s = await cloud.status(a.id, 'ACTIVE')
      return hostOf(s) === source ? s : undefined
    })
    const [latest] = await moves().ofInstance(a.id)
    assert.equal(latest?.dest_compute, source)
    assert.equal(latest?.status, 'done')
    assert.deepEqual(await providersOf(a.id), [await nodeUuid(source), await nodeUuid(dest)].sort())
    await hostReturns(dest)
    assert.deepEqual(await providersOf(a.id), [await nodeUuid(source)])
    assert.equal((await guestsOn(dest)).includes(a.id), false)
    assert.equal((await cloud.call('DELETE', `/servers/${a.id}`)).status, 204)
  })

  it('a stopped server stays SHUTOFF; from 2.95 an active one ends SHUTOFF too; 2.1 without a password makes one', async () => {
    const stopped = await boot('ev-stopped')
    const source = hostOf(stopped)
    const dest = other(source)
    assert.equal((await action(stopped.id, { 'os-stop': null }, undefined, 'MEMBER_A')).status, 202)
    await cloud.status(stopped.id, 'SHUTOFF')
    await hostFails(source)
    const r = await action(stopped.id, { evacuate: { onSharedStorage: false } })
    assert.equal(r.status, 200)
    assert.equal(typeof r.body.adminPass, 'string')
    assert.ok(r.body.adminPass.length > 0)
    await until('stopped on dest', async () => {
      const s = await cloud.status(stopped.id, 'SHUTOFF')
      return hostOf(s) === dest && s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
    await hostReturns(source)

    const active = await boot('ev-295')
    const from = hostOf(active)
    await hostFails(from)
    const v295 = await action(active.id, { evacuate: {} }, '2.95')
    assert.equal(v295.status, 200, JSON.stringify(v295.body))
    const off = await until('2.95 stopped', async () => {
      const s = await cloud.status(active.id, 'SHUTOFF')
      return hostOf(s) === other(from) && s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
    assert.equal(off['OS-EXT-STS:power_state'], 4)
    await hostReturns(from)
    for (const id of [stopped.id, active.id])
      assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
  })

  it('a server deleted after its evacuation: the returning source still destroys its guest', async () => {
    const server = await boot('ev-deleted')
    const source = hostOf(server)
    await hostFails(source)
    assert.equal((await action(server.id, { evacuate: {} }, '2.29')).status, 200)
    await until('evacuated', async () => {
      const s = await cloud.status(server.id, 'ACTIVE')
      return hostOf(s) === other(source) ? s : undefined
    })
    assert.equal((await cloud.call('DELETE', `/servers/${server.id}`)).status, 204)
    await until('deleted', async () =>
      (await cloud.call('GET', `/servers/${server.id}`)).status === 404 ? true : undefined,
    )
    assert.deepEqual(await providersOf(server.id), [], 'the delete freed both hosts')
    assert.ok((await guestsOn(source)).includes(server.id))
    await hostReturns(source)
    assert.equal((await guestsOn(source)).includes(server.id), false)
    assert.equal((await moves().ofInstance(server.id))[0]?.status, 'completed')
  })

  it('a source that returns while the destination still rebuilds leaves the instance to it', async () => {
    const server = await boot('ev-race')
    const source = hostOf(server)
    const dest = other(source)
    // The destination's nova-compute again, with a driver that takes its time to spawn.
    await cloud.computes.get(dest)!.stop(1000)
    const slow = new FakeDriver({
      nodename: dest,
      vcpus: 16,
      memoryMb: 16384,
      localGb: 400,
      spawnDelayMs: 1500,
    })
    const destCompute = cloud.makeCompute(dest, { driver: slow })
    cloud.computes.set(dest, destCompute)
    await destCompute.start()
    await hostFails(source)
    assert.equal((await action(server.id, { evacuate: {} }, '2.29')).status, 200)
    await until('spawning on the destination', async () => {
      const s = await cloud.call('GET', `/servers/${server.id}`, undefined, 'ADMIN')
      return s.body.server['OS-EXT-STS:task_state'] === 'rebuild_spawning' ? true : undefined
    })
    await hostReturns(source)
    assert.equal((await guestsOn(source)).includes(server.id), false, 'the source destroyed its guest')
    const moved = await until('ACTIVE on the destination', async () => {
      const s = await cloud.status(server.id, 'ACTIVE')
      return hostOf(s) === dest ? s : undefined
    })
    assert.equal(moved['OS-EXT-STS:task_state'], null)
    assert.ok((await guestsOn(dest)).includes(server.id))
    assert.equal((await cloud.call('DELETE', `/servers/${server.id}`)).status, 204)
  })

  it('no other host: ERROR with the scheduler’s reason, migration error, the source allocation kept', async () => {
    const server = await boot('ev-nohost')
    const source = hostOf(server)
    const dest = other(source)
    await hostFails(source)
    await forceDown(dest, true)
    const r = await action(server.id, { evacuate: {} }, '2.29')
    assert.equal(r.status, 200)
    const failed = await cloud.status(server.id, 'ERROR')
    assert.equal(hostOf(failed), source)
    assert.match(failed.fault.message, /^No valid host was found/)
    assert.equal((await moves().ofInstance(server.id))[0]?.status, 'error')
    assert.deepEqual(await providersOf(server.id), [await nodeUuid(source)])
    // A host named from 2.29 without force is checked by the scheduler's filters: a down one is refused too.
    const named = await action(server.id, { evacuate: { host: dest } }, '2.29')
    assert.equal(named.status, 200, JSON.stringify(named.body))
    await until('the second evacuation failed', async () => {
      const [latest] = await moves().ofInstance(server.id)
      return latest?.status === 'error' && latest.dest_compute === dest ? true : undefined
    })
    const again = await cloud.status(server.id, 'ERROR')
    assert.equal(hostOf(again), source)
    assert.match(again.fault.message, /ComputeFilter/)
    await forceDown(dest, false)
    await hostReturns(source)
    // The failed evacuation is not cleaned up: the guest stays with its instance on the source.
    assert.ok((await guestsOn(source)).includes(server.id))
    assert.equal((await cloud.call('DELETE', `/servers/${server.id}`)).status, 204)
  })
})
