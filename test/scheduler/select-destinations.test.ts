import { strict as assert } from 'node:assert'
import { after, afterEach, before, describe, it } from 'node:test'
import { NoValidHost, NovaError } from '../../src/common/errors/index.js'
import type { RequestSpec } from '../../src/services/scheduler/host-state.js'
import { selectDestinations } from '../../src/services/scheduler/select-destinations.js'
import type { InstanceSelection } from '../../src/services/scheduler/selection.js'
import { fakeSpec, type FakeSpecOverrides } from '../../src/services/scheduler/testing/fakes.js'
import { fakeCloud, HOST_RAM_MB, uuids, type FakeCloud } from './support.js'

let cloud: FakeCloud
const consumers: string[] = []

before(async () => {
  cloud = await fakeCloud(50, 40)
})
after(async () => {
  await cloud.close()
})
afterEach(async () => {
  for (const c of consumers.splice(0)) await cloud.h.call('DELETE', `/allocations/${c}`)
})

const FLAVOR = { vcpus: 1, memoryMb: 2048, rootGb: 10, ephemeralGb: 0, swap: 0 }

function spec(overrides: FakeSpecOverrides = {}): RequestSpec {
  return fakeSpec({
    projectId: 'proj-1',
    userId: 'user-1',
    ...overrides,
    flavor: { ...FLAVOR, ...overrides.flavor },
  })
}

/** selectDestinations for `n` new instances; their allocations are deleted after the test. */
async function select(
  n: number,
  s: RequestSpec = spec(),
  deps = cloud.deps(),
  alternates = false,
): Promise<InstanceSelection[]> {
  const ids = uuids(n)
  consumers.push(...ids)
  return await selectDestinations(deps, { ...s, instanceUuid: ids[0]!, numInstances: n }, ids, alternates)
}

async function noValidHost(promise: Promise<unknown>): Promise<InstanceType<typeof NoValidHost>> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof NoValidHost, `NoValidHost expected, got ${String(error)}`)
    return error
  }
  assert.fail('NoValidHost expected')
}

const zoneOf = (host: string) => cloud.nodes.find((n) => n.host === host)!.az
const hostNames = () => cloud.nodes.map((n) => n.host)
const assertNoHostNames = (message: string) => {
  for (const name of hostNames()) assert.ok(!message.includes(name), `message names ${name}: ${message}`)
  assert.ok(!/cmp-\d/.test(message))
}
async function totalUsage(rc: string): Promise<number> {
  let sum = 0
  for (const n of cloud.nodes) sum += (await cloud.usages(n.uuid))[rc] ?? 0
  return sum
}

describe('select_destinations over a real placement with 50 compute nodes in two zones', () => {
  it('spreads: 10 instances land on 10 different hosts (default weighers)', async () => {
    const picked = await select(10)
    assert.equal(picked.length, 10)
    assert.equal(new Set(picked.map((p) => p.host)).size, 10)
    for (const p of picked) {
      assert.equal(p.nodename, p.host)
      assert.equal(p.cellUuid, 'cell1')
      assert.deepEqual(Object.keys(p.allocationRequest.allocations), [p.computeNodeUuid])
      assert.deepEqual(p.alternates, [])
    }
  })

  it('packs with a negative ram_weight_multiplier: 10 instances on one host', async () => {
    const picked = await select(10, spec(), cloud.deps({ weighers: ['RAMWeigher'], ramWeightMultiplier: -1 }))
    assert.equal(new Set(picked.map((p) => p.host)).size, 1)
    assert.deepEqual(await cloud.usages(picked[0]!.computeNodeUuid), {
      VCPU: 10,
      MEMORY_MB: 20480,
      DISK_GB: 100,
    })
  })

  it('affinity: every instance of the group on one host', async () => {
    const ids = uuids(6)
    const group = { uuid: 'g-aff', policy: 'affinity' as const, rules: {}, hosts: [], members: ids }
    consumers.push(...ids)
    const picked = await selectDestinations(cloud.deps(), spec({ instanceGroup: group }), ids, false)
    assert.equal(new Set(picked.map((p) => p.host)).size, 1)
    assert.deepEqual(
      group.hosts,
      Array(6).fill(picked[0]!.host),
      "the group's hosts grow as instances are placed",
    )
  })

  it('anti-affinity: all on different hosts; an 11th member in a 10-host zone finds none', async () => {
    const ids = uuids(10)
    consumers.push(...ids)
    const group = {
      uuid: 'g-anti',
      policy: 'anti-affinity' as const,
      rules: { max_server_per_host: 1 },
      hosts: [] as string[],
      members: ids,
    }
    const picked = await selectDestinations(
      cloud.deps(),
      spec({ availabilityZone: 'az2', instanceGroup: group }),
      ids,
      false,
    )
    assert.equal(new Set(picked.map((p) => p.host)).size, 10)
    assert.ok(picked.every((p) => zoneOf(p.host) === 'az2'))

    const [eleventh] = uuids(1)
    consumers.push(eleventh!)
    const again = { ...group, hosts: picked.map((p) => p.host), members: [...ids, eleventh!] }
    const error = await noValidHost(
      selectDestinations(
        cloud.deps(),
        spec({ availabilityZone: 'az2', instanceGroup: again }),
        [eleventh!],
        false,
      ),
    )
    assert.equal(
      error.message,
      'No valid host was found. 0 of 50 hosts passed: placement: 40 not in availability zone az2; ' +
        'ServerGroupAntiAffinityFilter: 10 has 1 member(s) of the anti-affinity server group (max 1).',
    )
    assertNoHostNames(error.message)
    const anti = error.details.eliminated!.find((e) => e.step === 'ServerGroupAntiAffinityFilter')!
    assert.deepEqual(anti.hosts, picked.map((p) => p.host).sort(), 'admins see which hosts')
    const zone = error.details.eliminated!.find((e) => e.step === 'placement')!
    assert.equal(zone.hosts.length, 40)
    assert.ok(zone.hosts.every((h) => zoneOf(h) === 'az1'))
    assert.match(zone.detail!, /^map_az_to_placement_aggregate: availability zone az2 \(aggregates zone-az2 /)
  })

  it('an 11-instance anti-affinity request in a 10-host zone fails as a whole and leaves no allocations', async () => {
    const ids = uuids(11)
    consumers.push(...ids)
    const group = { uuid: 'g', policy: 'anti-affinity' as const, rules: {}, hosts: [], members: [] }
    const error = await noValidHost(
      selectDestinations(cloud.deps(), spec({ availabilityZone: 'az2', instanceGroup: group }), ids, false),
    )
    assert.match(error.message, /0 of 50 hosts passed for the 11th of 11 instances: /)
    assert.match(error.message, /ServerGroupAntiAffinityFilter: 10 has 1 member\(s\)/)
    for (const id of ids)
      assert.deepEqual((await cloud.h.call('GET', `/allocations/${id}`)).body.allocations, {})
    assert.equal(await totalUsage('MEMORY_MB'), 0)
  })

  it('availability zone: every instance in az2', async () => {
    const picked = await select(5, spec({ availabilityZone: 'az2' }))
    assert.ok(picked.every((p) => zoneOf(p.host) === 'az2'))
  })

  it('claims are really written in placement, for the project and user of the spec', async () => {
    const picked = await select(3, spec({ flavor: { vcpus: 2, memoryMb: 4096, rootGb: 20, swap: 1500 } }))
    for (const p of picked) {
      assert.deepEqual(await cloud.usages(p.computeNodeUuid), { VCPU: 2, MEMORY_MB: 4096, DISK_GB: 22 })
    }
    const [first] = consumers.slice(-3)
    const allocation = (await cloud.h.call('GET', `/allocations/${first}`)).body
    assert.equal(allocation.project_id, 'proj-1')
    assert.equal(allocation.user_id, 'user-1')
    assert.deepEqual(Object.keys(allocation.allocations), [picked[0]!.computeNodeUuid])
    assert.equal(await totalUsage('MEMORY_MB'), 3 * 4096)
  })

  it('a request that cannot fully fit deletes the claims it made (nothing left behind)', async () => {
    // Each az2 host (32768 MB) fits one 20000 MB instance; the 11th fails when placement refuses its claims.
    const error = await noValidHost(
      select(11, spec({ availabilityZone: 'az2', flavor: { memoryMb: 20000 } })),
    )
    assert.equal(
      error.message,
      'No valid host was found. 0 of 50 hosts passed for the 11th of 11 instances: ' +
        'placement: 40 not in availability zone az2; claim: 10 had no room left when claimed.',
    )
    assert.equal(await totalUsage('MEMORY_MB'), 0)
    for (const id of consumers)
      assert.deepEqual((await cloud.h.call('GET', `/allocations/${id}`)).body.allocations, {})
  })

  it('alternates: up to max_attempts - 1 other hosts that passed, with allocation requests, not claimed', async () => {
    const picked = await select(3, spec({ availabilityZone: 'az2' }), cloud.deps(), true)
    const chosen = new Set(picked.map((p) => p.host))
    for (const p of picked) {
      assert.equal(p.alternates.length, 2)
      for (const alt of p.alternates) {
        assert.ok(!chosen.has(alt.host), 'a host chosen for this request is no alternate')
        assert.equal(zoneOf(alt.host), 'az2')
        assert.equal(alt.cellUuid, p.cellUuid)
        assert.deepEqual(Object.keys(alt.allocationRequest.allocations), [alt.computeNodeUuid])
        assert.deepEqual(await cloud.usages(alt.computeNodeUuid), { VCPU: 0, MEMORY_MB: 0, DISK_GB: 0 })
      }
    }
    const one = await select(1, spec({ availabilityZone: 'az2' }), cloud.deps({ maxAttempts: 5 }), true)
    assert.equal(one[0]!.alternates.length, 4)
  })

  describe('NoValidHost explains which step eliminated how many hosts', () => {
    it('more RAM than any host has free: placement says how much is free at most', async () => {
      const error = await noValidHost(select(1, spec({ flavor: { memoryMb: 40000 } })))
      assert.ok(error instanceof NovaError)
      assert.equal(error.status, 500)
      assert.equal(
        error.message,
        `No valid host was found. 0 of 50 hosts passed: placement: 50 lack MEMORY_MB 40000 (largest free ${HOST_RAM_MB}).`,
      )
      assertNoHostNames(error.message)
      assert.equal(error.details.eliminated![0]!.hosts.length, 50)
    })

    it('the largest free amount is among the hosts still in (the requested zone)', async () => {
      await select(10, spec({ availabilityZone: 'az2', flavor: { memoryMb: 30000 } }))
      const error = await noValidHost(
        select(1, spec({ availabilityZone: 'az2', flavor: { memoryMb: 4096 } })),
      )
      assert.equal(
        error.message,
        'No valid host was found. 0 of 50 hosts passed: ' +
          'placement: 40 not in availability zone az2, 10 lack MEMORY_MB 4096 (largest free 2768).',
      )
    })

    it('a zone nobody has: every host is outside it, placement is not even asked', async () => {
      const error = await noValidHost(select(1, spec({ availabilityZone: 'atlantis' })))
      assert.equal(
        error.message,
        'No valid host was found. 0 of 50 hosts passed: placement: 50 not in availability zone atlantis.',
      )
    })

    it('disabled computes are counted apart', async () => {
      const az2 = cloud.nodes.filter((n) => n.az === 'az2')
      for (const n of az2.slice(0, 7)) await cloud.setTraits(n.uuid, ['COMPUTE_STATUS_DISABLED'])
      try {
        const error = await noValidHost(
          select(1, spec({ availabilityZone: 'az2', flavor: { memoryMb: 40000 } })),
        )
        assert.equal(
          error.message,
          'No valid host was found. 0 of 50 hosts passed: placement: 40 not in availability zone az2, ' +
            `7 compute service disabled, 3 lack MEMORY_MB 40000 (largest free ${HOST_RAM_MB}).`,
        )
        const picked = await select(3, spec({ availabilityZone: 'az2' }))
        assert.deepEqual(
          picked.map((p) => p.host).sort(),
          az2.slice(7).map((n) => n.host),
          'only the enabled ones are picked',
        )
      } finally {
        for (const n of az2) await cloud.setTraits(n.uuid, [])
      }
    })

    it('flavor traits are judged one by one, before the amounts', async () => {
      const avx = cloud.nodes.slice(0, 5)
      for (const n of avx) await cloud.setTraits(n.uuid, ['HW_CPU_X86_AVX2'])
      try {
        const extraSpecs = { 'trait:HW_CPU_X86_AVX2': 'required' }
        const error = await noValidHost(select(1, spec({ flavor: { memoryMb: 40000, extraSpecs } })))
        assert.equal(
          error.message,
          'No valid host was found. 0 of 50 hosts passed: placement: 45 lack trait HW_CPU_X86_AVX2, ' +
            `5 lack MEMORY_MB 40000 (largest free ${HOST_RAM_MB}).`,
        )
        const picked = await select(2, spec({ flavor: { extraSpecs } }))
        assert.ok(picked.every((p) => avx.some((n) => n.host === p.host)))
      } finally {
        for (const n of avx) await cloud.setTraits(n.uuid, [])
      }
    })

    it('host filters name themselves and count per reason', async () => {
      const deps = cloud.deps({ filters: ['ComputeFilter', 'ImagePropertiesFilter'] })
      const error = await noValidHost(
        select(
          1,
          spec({ availabilityZone: 'az2', image: { properties: { hw_architecture: 'aarch64' } } }),
          deps,
        ),
      )
      assert.match(
        error.message,
        /^No valid host was found\. 0 of 50 hosts passed: placement: 40 not in availability zone az2; ImagePropertiesFilter: 10 /,
      )
      assertNoHostNames(error.message)
    })
  })
})
