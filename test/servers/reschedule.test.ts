import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { PlacementHarness } from '../placement/support.js'
import { startBuildCloud, until, type BuildCloud, type Obj } from '../support/build-harness.js'

describe('[reschedule] a failed build goes to the next alternate; after the last one, ERROR with MaxRetriesExceeded', () => {
  let cloud: BuildCloud
  let placement: PlacementHarness

  before(async () => {
    // cmp-1 has more free RAM, so the weighers try it first; it fails `flaky-*` and `broken-*`, cmp-2 `broken-*`.
    cloud = await startBuildCloud({
      driver: (host) =>
        host === 'cmp-1'
          ? { memoryMb: 8192, failSpawnPattern: /^(flaky|broken)/ }
          : { failSpawnPattern: /^broken/ },
    })
    placement = cloud.placement!
  })

  after(async () => {
    await cloud.close()
  })

  const boot = async (name: string): Promise<string> => {
    const created = await cloud.call('POST', '/servers', {
      server: { name, flavorRef: '1', imageRef: cloud.imageId, networks: 'none' },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    return created.body.server.id as string
  }
  const events = async (id: string): Promise<Obj[]> => {
    const actions = await cloud.call('GET', `/servers/${id}/os-instance-actions`, undefined, 'ADMIN')
    const create = actions.body.instanceActions.find((a: Obj) => a.action === 'create')
    const action = await cloud.call(
      'GET',
      `/servers/${id}/os-instance-actions/${create.request_id}`,
      undefined,
      'ADMIN',
      '2.62',
    )
    return action.body.instanceAction.events as Obj[]
  }
  const providerOf = (host: string): string => cloud.computes.get(host)!.resourceTracker.node(host)!.uuid

  it('one host fails the spawn: the instance is ACTIVE on the alternate, allocations only there, the retry in the events', async () => {
    const id = await boot('flaky-1')
    const server = await cloud.status(id, 'ACTIVE')
    assert.equal(server['OS-EXT-SRV-ATTR:host'], 'cmp-2')
    assert.equal(server.fault, undefined)
    const allocations = (await placement.call('GET', `/allocations/${id}`)).body.allocations as Obj
    assert.deepEqual(Object.keys(allocations), [providerOf('cmp-2')])
    assert.deepEqual(allocations[providerOf('cmp-2')].resources, { VCPU: 1, MEMORY_MB: 1024, DISK_GB: 10 })
    // The event finishes just after the instance goes ACTIVE.
    const list = await until('events finished', async () => {
      const all = await events(id)
      return all.every((e) => e.result !== null) ? all : undefined
    })
    assert.deepEqual(
      list.map((e) => [e.event, e.result, e.host]),
      [
        ['conductor_schedule_and_build_instances', 'Success', null],
        ['compute__do_build_and_run_instance', 'Error', 'cmp-1'],
        ['compute__do_build_and_run_instance', 'Success', 'cmp-2'],
      ],
    )
    assert.match(
      list[1]!.traceback,
      new RegExp(`Build of instance ${id} was re-scheduled: .*injected failure`),
    )
    assert.deepEqual(await cloud.drivers.get('cmp-1')!.listInstanceUuids(), [])
    assert.deepEqual(await cloud.drivers.get('cmp-2')!.listInstanceUuids(), [id])
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
  })

  it('every host fails: ERROR with the MaxRetriesExceeded fault, no host, no allocations', async () => {
    const id = await boot('broken-1')
    const server = await cloud.status(id, 'ERROR')
    assert.equal(
      server.fault.message,
      `Exceeded maximum number of retries. Exhausted all hosts available for retrying build failures for instance ${id}.`,
    )
    assert.equal(server.fault.code, 500)
    assert.equal(server['OS-EXT-SRV-ATTR:host'], null)
    assert.equal(server['OS-EXT-STS:task_state'], null)
    assert.deepEqual((await placement.call('GET', `/allocations/${id}`)).body.allocations, {})
    const list = await events(id)
    assert.deepEqual(
      list.map((e) => [e.event, e.result]),
      [
        ['conductor_schedule_and_build_instances', 'Success'],
        ['compute__do_build_and_run_instance', 'Error'],
        ['compute__do_build_and_run_instance', 'Error'],
      ],
    )
    for (const host of ['cmp-1', 'cmp-2']) {
      const held = await placement.call('GET', `/resource_providers/${providerOf(host)}/allocations`)
      assert.equal(held.body.allocations[id], undefined, `nothing left on ${host}`)
    }
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
  })
})

describe('[reschedule] [scheduler] max_attempts = 1: no alternates, a failed build is ERROR with its own fault', () => {
  let cloud: BuildCloud

  before(async () => {
    cloud = await startBuildCloud({
      config: { scheduler: { max_attempts: '1' } },
      driver: () => ({ failSpawnPattern: /^broken/ }),
    })
  })

  after(async () => {
    await cloud.close()
  })

  it('the spawn error is the fault; the allocations are given back', async () => {
    const created = await cloud.call('POST', '/servers', {
      server: { name: 'broken-once', flavorRef: '1', imageRef: cloud.imageId, networks: 'none' },
    })
    const id = created.body.server.id as string
    const server = await cloud.status(id, 'ERROR')
    assert.match(server.fault.message, /injected failure/)
    assert.deepEqual((await cloud.placement!.call('GET', `/allocations/${id}`)).body.allocations, {})
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
  })
})
