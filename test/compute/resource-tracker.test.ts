import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { adminContext } from '../../src/common/context.js'
import { silentLogger } from '../../src/common/logger.js'
import { loadConfig } from '../../src/config/index.js'
import { ConductorClient } from '../../src/services/conductor/client.js'
import {
  ComputeNodeReporter,
  PlacementClient,
  type PlacementTransport,
} from '../../src/services/placement/client.js'
import { createComputeService } from '../../src/services/compute/index.js'
import { ResourceTracker, resourceTrackerSettings } from '../../src/services/compute/resource-tracker.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/index.js'
import { conductorHarness, type ConductorHarness } from '../conductor/support.js'
import { placementHarness, type PlacementHarness } from '../placement/support.js'
import { testInstance } from './driver-conformance.js'

const ctx = adminContext()
const sqlite = { name: 'sqlite', url: 'sqlite://' }
const memory = { name: 'memory', url: 'memory://' }
const settings = (overrides: Record<string, string> = {}) =>
  resourceTrackerSettings(loadConfig({ overrides: { DEFAULT: { my_ip: '10.1.2.3', ...overrides } } }).config)

const spawnRequest = (instance = testInstance()) => ({
  instance,
  image: { properties: {} },
  allocations: {},
  networkInfo: [],
  blockDeviceInfo: { blockDevices: [] },
})

describe('the resource tracker against a real placement and conductor', () => {
  let placement: PlacementHarness
  let conductor: ConductorHarness
  let calls: string[]
  let failPlacement = 0
  let client: PlacementClient
  before(async () => {
    placement = await placementHarness()
    conductor = await conductorHarness(sqlite, memory)
    const counting: PlacementTransport = async (request) => {
      calls.push(`${request.method} ${request.path}`)
      if (failPlacement > 0) {
        failPlacement--
        return { status: 503, body: '' }
      }
      return placement.transport(request)
    }
    client = new PlacementClient(counting)
  })
  after(async () => {
    await conductor?.close()
    await placement?.close()
  })

  const tracker = async (host: string, driver: FakeDriver, overrides: Record<string, string> = {}) => {
    await driver.initHost(host)
    return new ResourceTracker({
      host,
      driver,
      conductor: conductor.client,
      reporter: new ComputeNodeReporter(client),
      settings: settings(overrides),
      logger: silentLogger(),
    })
  }

  it('creates the provider (uuid = compute node uuid) with Nova inventories and the driver traits', async () => {
    calls = []
    const rt = await tracker('rt1', new FakeDriver({ vcpus: 16, memoryMb: 32768, localGb: 500 }))
    await rt.update(ctx)
    const node = rt.node('rt1')!
    assert.equal(node.host, 'rt1')
    assert.equal(node.hypervisor_hostname, 'rt1')
    const rp = await placement.call('GET', `/resource_providers/${node.uuid}`)
    assert.equal(rp.status, 200)
    assert.equal(rp.body.name, 'rt1')
    const inv = (await placement.call('GET', `/resource_providers/${node.uuid}/inventories`)).body.inventories
    assert.deepEqual(inv.VCPU, {
      total: 16,
      reserved: 0,
      min_unit: 1,
      max_unit: 16,
      step_size: 1,
      allocation_ratio: 4,
    })
    assert.equal(inv.MEMORY_MB.total, 32768)
    assert.equal(inv.MEMORY_MB.reserved, 512)
    assert.equal(inv.MEMORY_MB.allocation_ratio, 1)
    assert.equal(inv.DISK_GB.total, 500)
    assert.equal(inv.DISK_GB.reserved, 0)
    const traits = await client.traitsOf(node.uuid)
    for (const t of ['COMPUTE_NODE', 'COMPUTE_VOLUME_MULTI_ATTACH', 'COMPUTE_IMAGE_TYPE_RAW'])
      assert.ok(traits.includes(t), t)
    assert.ok(!traits.includes('COMPUTE_STATUS_DISABLED'))
    assert.equal(node.cpu_allocation_ratio, 4, 'initial ratio recorded on the new node')
    assert.equal(node.host_ip, '10.1.2.3')
  })

  it('a second run with nothing changed writes nothing to placement, and keeps the uuid', async () => {
    const rt = await tracker('rt2', new FakeDriver({ vcpus: 4, memoryMb: 8192, localGb: 100 }))
    await rt.update(ctx)
    const uuid = rt.node('rt2')!.uuid
    calls = []
    await rt.update(ctx)
    assert.deepEqual(calls, [], 'no placement call at all')
    assert.equal(rt.node('rt2')!.uuid, uuid)
  })

  it('records what running guests and builds in progress take, with the host reserve', async () => {
    const driver = new FakeDriver({ vcpus: 8, memoryMb: 16384, localGb: 200 })
    const rt = await tracker('rt3', driver, { reserved_host_disk_mb: '2048' })
    await driver.spawn(
      spawnRequest(
        testInstance({ flavor: { vcpus: 2, memoryMb: 2048, rootGb: 20, ephemeralGb: 0, swapMb: 0 } }),
      ),
    )
    await driver.spawn(
      spawnRequest(
        testInstance({ flavor: { vcpus: 1, memoryMb: 512, rootGb: 10, ephemeralGb: 5, swapMb: 0 } }),
      ),
    )
    const building = testInstance()
    rt.claim(building.uuid, 'rt3', { vcpus: 4, memoryMb: 1024, diskGb: 1 })
    await rt.update(ctx)
    let node = rt.node('rt3')!
    assert.equal(node.vcpus, 8)
    assert.equal(node.vcpus_used, 2 + 1 + 4)
    assert.equal(node.memory_mb_used, 512 + 2048 + 512 + 1024)
    assert.equal(node.free_ram_mb, 16384 - (512 + 2048 + 512 + 1024))
    assert.equal(node.local_gb_used, 2 + 20 + 15 + 1)
    assert.equal(node.free_disk_gb, 200 - 38)
    assert.equal(node.running_vms, 3)
    assert.equal(node.current_workload, 1)
    assert.deepEqual(JSON.parse(node.supported_instances!), [['x86_64', 'fake', 'hvm']])
    assert.deepEqual(JSON.parse(node.stats!), { num_instances: 3, io_workload: 1, failed_builds: 0 })
    const inv = (await placement.call('GET', `/resource_providers/${node.uuid}/inventories`)).body.inventories
    assert.equal(inv.DISK_GB.reserved, 2)

    // The build lands: the driver lists it and the claim is not counted twice.
    await driver.spawn(
      spawnRequest({
        ...building,
        flavor: { vcpus: 4, memoryMb: 1024, rootGb: 1, ephemeralGb: 0, swapMb: 0 },
      }),
    )
    rt.buildFailed()
    await rt.update(ctx)
    node = rt.node('rt3')!
    assert.equal(node.vcpus_used, 7)
    assert.equal(node.running_vms, 3)
    assert.equal(node.current_workload, 0)
    assert.equal(JSON.parse(node.stats!).failed_builds, 1)
  })

  it('a disabled nova-compute service puts COMPUTE_STATUS_DISABLED on the provider, and enabling removes it', async () => {
    const service = await conductor.services.create({
      host: 'rt4',
      binary: 'nova-compute',
      topic: 'compute',
      version: 1,
    })
    const rt = await tracker('rt4', new FakeDriver({ vcpus: 4, memoryMb: 8192, localGb: 100 }))
    await rt.update(ctx)
    const uuid = rt.node('rt4')!.uuid
    assert.equal(rt.node('rt4')!.service_id, service.id)
    assert.ok(!(await client.traitsOf(uuid)).includes('COMPUTE_STATUS_DISABLED'))
    await conductor.services.update(service.id, { disabled: true, disabledReason: 'maintenance' })
    await rt.update(ctx)
    assert.ok((await client.traitsOf(uuid)).includes('COMPUTE_STATUS_DISABLED'))
    assert.ok((await client.traitsOf(uuid)).includes('COMPUTE_NODE'), 'the other traits stay')
    await conductor.services.update(service.id, { disabled: false, disabledReason: null })
    await rt.update(ctx)
    assert.ok(!(await client.traitsOf(uuid)).includes('COMPUTE_STATUS_DISABLED'))
  })

  it('configured allocation ratios override the initial ones, in the record and in placement', async () => {
    const rt = await tracker('rt5', new FakeDriver({ vcpus: 4, memoryMb: 8192, localGb: 100 }), {
      cpu_allocation_ratio: '16.0',
      ram_allocation_ratio: '1.5',
      reserved_host_cpus: '1',
    })
    await rt.update(ctx)
    const node = rt.node('rt5')!
    assert.equal(node.cpu_allocation_ratio, 16)
    assert.equal(node.ram_allocation_ratio, 1.5)
    assert.equal(node.disk_allocation_ratio, 1)
    const inv = (await placement.call('GET', `/resource_providers/${node.uuid}/inventories`)).body.inventories
    assert.equal(inv.VCPU.allocation_ratio, 16)
    assert.equal(inv.VCPU.reserved, 1)
    assert.equal(inv.MEMORY_MB.allocation_ratio, 1.5)
  })

  it('a placement failure does not stop the record; the next run reports everything', async () => {
    const rt = await tracker('rt6', new FakeDriver({ vcpus: 4, memoryMb: 8192, localGb: 100 }))
    failPlacement = 2
    await rt.update(ctx)
    const uuid = rt.node('rt6')!.uuid
    assert.equal((await placement.call('GET', `/resource_providers/${uuid}`)).status, 404)
    await rt.update(ctx)
    assert.equal((await placement.call('GET', `/resource_providers/${uuid}`)).status, 200)
    const inv = (await placement.call('GET', `/resource_providers/${uuid}/inventories`)).body.inventories
    assert.equal(inv.VCPU.total, 4)
  })

  it('nova-compute runs it on start and every update_resources_interval', async () => {
    const driver = new FakeDriver({ vcpus: 8, memoryMb: 8192, localGb: 80 })
    const service = createComputeService({
      host: 'rt7',
      bus: conductor.bus,
      conductor: new ConductorClient({ bus: conductor.bus, timeoutMs: 5000 }),
      reportIntervalS: 60,
      serviceVersion: 1,
      logger: silentLogger(),
      driver,
      placement: client,
      resources: settings(),
      updateResourcesIntervalS: 1,
    })
    await service.start()
    try {
      const node = service.resourceTracker.node('rt7')
      assert.ok(node, 'recorded at start')
      assert.equal((await placement.call('GET', `/resource_providers/${node.uuid}`)).status, 200)
      assert.equal(node.running_vms, 0)
      await driver.spawn(spawnRequest())
      const deadline = Date.now() + 5000
      while ((service.resourceTracker.node('rt7')?.running_vms ?? 0) < 1) {
        assert.ok(Date.now() < deadline, 'the periodic update saw the guest')
        await sleep(100)
      }
    } finally {
      await service.stop(1000)
    }
  })
})
