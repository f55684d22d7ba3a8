import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminContext } from '../../src/common/context.js'
import { systemClock } from '../../src/common/clock.js'
import type { InstancesRepository } from '../../src/db/repositories/instances.js'
import { LEFT_IN_BUILD_MESSAGE, type ComputeService } from '../../src/services/compute/index.js'
import { PowerState } from '../../src/services/compute/driver/power-state.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import type { ConductorClient } from '../../src/services/conductor/client.js'
import type { ConductorBuildDeps } from '../../src/services/conductor/conductor-deps.js'
import { enforceInstanceDeadlines } from '../../src/services/conductor/index.js'
import type { PlacementHarness } from '../placement/support.js'
import { startBuildCloud, until, type ApiCall, type BuildCloud, type Obj } from '../support/build-harness.js'

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A compute "killed -9": its conductor client stops answering (calls of its unfinished handlers never reach the
 * database), its service stops without draining. The FakeDriver object outlives it, like a hypervisor outlives
 * nova-compute; a guest the test destroys behind its back stands for a guest the crash lost.
 */
function killableConductor(real: ConductorClient): { client: ConductorClient; kill: () => void } {
  let dead = false
  const client = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        dead ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(target, args)
    },
  })
  return { client, kill: () => (dead = true) }
}

describe('[recovery] nova-compute settles instances a crash left mid-operation, syncs power states, heals placement', () => {
  let cloud: BuildCloud
  let placement: PlacementHarness
  let conductorClient: ConductorClient
  let compute: ComputeService
  let makeCompute: (conductor: ConductorClient) => ComputeService
  let instances: InstancesRepository
  let conductorBuild: ConductorBuildDeps
  const driver = new FakeDriver({
    nodename: 'cmp-r',
    vcpus: 8,
    memoryMb: 8192,
    localGb: 100,
    spawnDelayMs: 600,
  })
  let call: ApiCall

  before(async () => {
    cloud = await startBuildCloud({ computes: [] })
    placement = cloud.placement!
    conductorClient = cloud.conductorClient
    instances = cloud.instances
    conductorBuild = cloud.conductorBuild!
    call = cloud.call
    makeCompute = (conductor) =>
      cloud.makeCompute('cmp-r', { conductor, driver, syncPowerStateIntervalS: -1 })
  })

  after(async () => {
    await compute?.stop(1000)
    await cloud.close()
  })

  const boot = async (name: string, count = 1): Promise<string[]> => {
    const created = await call('POST', '/servers', {
      server: {
        name,
        flavorRef: '1',
        imageRef: cloud.imageId,
        min_count: count,
        max_count: count,
        networks: 'none',
      },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    const list = await call('GET', `/servers?name=^${name}`)
    return list.body.servers.map((s: Obj) => s.id as string)
  }
  const server = async (id: string): Promise<Obj> =>
    (await call('GET', `/servers/${id}`, undefined, 'ADMIN')).body
  const status = async (id: string, want: string): Promise<Obj> =>
    await until(`${id} ${want}`, async () => {
      const r = await server(id)
      return r.server?.status === want ? r.server : undefined
    })
  /** The consumers holding allocations against the compute node's provider. */
  const consumersOnNode = async (): Promise<string[]> => {
    const node = compute.resourceTracker.node('cmp-r')
    assert.ok(node)
    const r = await placement.call('GET', `/resource_providers/${node.uuid}/allocations`)
    return Object.keys(r.body.allocations as Obj).sort()
  }

  it('a crash mid-spawn: after the restart every instance is ACTIVE or ERROR with a fault, deletes are finished, placement holds the live ones', async () => {
    const first = killableConductor(conductorClient)
    compute = makeCompute(first.client)
    await compute.start()
    const [done] = await boot('done')
    await status(done!, 'ACTIVE')
    const [deleting] = await boot('deleting')
    await status(deleting!, 'ACTIVE')
    const [rebooting] = await boot('rebooting')
    await status(rebooting!, 'ACTIVE')
    const spawning = await boot('spawning', 2)
    await until('both spawning', async () => {
      const rows = await instances.list({ uuids: spawning })
      return rows.length === 2 && rows.every((r) => r.task_state === 'spawning') ? true : undefined
    })
    // kill -9 mid-spawn; the hypervisor finishes one guest, the other is lost with the crash.
    first.kill()
    await compute.stop(0)
    await sleepMs(800)
    const [survived, lost] = spawning as [string, string]
    await driver.destroy({ uuid: lost, name: '-' })
    // A delete and a reboot the crash interrupted.
    await instances.update(deleting!, { task_state: 'deleting' })
    await instances.update(rebooting!, { task_state: 'rebooting' })
    driver.setPowerState(rebooting!, PowerState.SHUTDOWN)

    compute = makeCompute(conductorClient)
    await compute.start()
    assert.equal((await status(done!, 'ACTIVE'))['OS-EXT-STS:task_state'], null)
    assert.equal((await status(survived, 'ACTIVE'))['OS-EXT-STS:power_state'], PowerState.RUNNING)
    const errored = await status(lost, 'ERROR')
    assert.equal(errored.fault.message, LEFT_IN_BUILD_MESSAGE)
    assert.equal(errored['OS-EXT-STS:task_state'], null)
    const rebooted = await status(rebooting!, 'SHUTOFF')
    assert.equal(rebooted['OS-EXT-STS:task_state'], null)
    assert.equal(rebooted['OS-EXT-STS:power_state'], PowerState.SHUTDOWN)
    assert.equal((await server(deleting!)).itemNotFound?.code, 404)
    assert.deepEqual((await driver.listInstanceUuids()).sort(), [done!, rebooting!, survived].sort())
    assert.deepEqual(await consumersOnNode(), [done!, rebooting!, survived].sort())
    for (const uuid of [deleting!, lost])
      assert.deepEqual((await placement.call('GET', `/allocations/${uuid}`)).body.allocations, {})
  })

  it('the restart heals placement: a lost allocation is recreated, a stray one removed', async () => {
    const live = (await instances.list({ host: 'cmp-r', vmStates: ['active'] })).map((i) => i.uuid)
    assert.ok(live.length > 0)
    await placement.call('DELETE', `/allocations/${live[0]}`)
    const node = compute.resourceTracker.node('cmp-r')!
    const stray = '11111111-2222-3333-4444-555555555555'
    const put = await placement.call('PUT', `/allocations/${stray}`, {
      allocations: { [node.uuid]: { resources: { VCPU: 1 } } },
      project_id: 'project-a',
      user_id: 'u',
      consumer_generation: null,
      consumer_type: 'INSTANCE',
    })
    assert.equal(put.status, 204, JSON.stringify(put.body))
    await compute.stop(1000)
    compute = makeCompute(conductorClient)
    await compute.start()
    const all = (await instances.list({ host: 'cmp-r' })).map((i) => i.uuid)
    assert.deepEqual(await consumersOnNode(), all.sort())
  })

  it('_sync_power_states: a guest that stops or vanishes while ACTIVE is stopped (SHUTOFF) after one run', async () => {
    const [stops, vanishes] = await boot('sync', 2)
    await status(stops!, 'ACTIVE')
    await status(vanishes!, 'ACTIVE')
    driver.setPowerState(stops!, PowerState.CRASHED)
    await driver.destroy({ uuid: vanishes!, name: '-' })
    await compute.syncPowerStates(adminContext())
    const stopped = await server(stops!)
    assert.equal(stopped.server.status, 'SHUTOFF')
    assert.equal(stopped.server['OS-EXT-STS:power_state'], PowerState.SHUTDOWN)
    const gone = await server(vanishes!)
    assert.equal(gone.server.status, 'SHUTOFF')
    assert.equal(
      gone.server['OS-EXT-STS:power_state'],
      PowerState.NOSTATE,
      'as Nova: the state the driver has',
    )
  })

  it('deadlines: an instance past instance_build_timeout goes to ERROR with a fault; an overdue delete is finished', async () => {
    const [stuck] = await boot('stuck')
    const [slowDelete] = await boot('slow-delete')
    await status(slowDelete!, 'ACTIVE')
    await status(stuck!, 'ACTIVE')
    await instances.update(stuck!, { vm_state: 'building', task_state: 'spawning' })
    await instances.update(slowDelete!, { task_state: 'deleting' })
    const now = { now: () => new Date(Date.now() + 10_000) }
    const none = await enforceInstanceDeadlines(conductorBuild, systemClock, {
      buildTimeoutS: 3600,
      deleteTimeoutS: 3600,
    })
    assert.deepEqual(none, { errored: [], deleted: [] })
    const result = await enforceInstanceDeadlines(conductorBuild, now as typeof systemClock, {
      buildTimeoutS: 5,
      deleteTimeoutS: 5,
    })
    assert.deepEqual(result, { errored: [stuck], deleted: [slowDelete] })
    const errored = await status(stuck!, 'ERROR')
    assert.equal(errored.fault.message, 'Instance build timed out. Set to error state.')
    assert.equal((await server(slowDelete!)).itemNotFound?.code, 404)
    for (const uuid of [stuck!, slowDelete!])
      assert.deepEqual((await placement.call('GET', `/allocations/${uuid}`)).body.allocations, {})
  })
})
