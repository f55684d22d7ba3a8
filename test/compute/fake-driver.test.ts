import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { loadConfig } from '../../src/config/index.js'
import { capabilityTraits, PowerState, SpawnFailed } from '../../src/services/compute/driver/index.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/index.js'
import { loadComputeDriver } from '../../src/services/compute/drivers/index.js'
import { describeHypervisorDriver, testInstance } from './driver-conformance.js'

const fakeOptions = { vcpus: 16, memoryMb: 32768, localGb: 500, liveMigrationDurationMs: 100 }
describeHypervisorDriver(
  'fake',
  async () => ({ driver: new FakeDriver({ ...fakeOptions, instancesPath: 'conformance-shared' }) }),
  {
    liveMigrationPeer: async (shared) => ({
      driver: new FakeDriver({ ...fakeOptions, ...(shared ? { instancesPath: 'conformance-shared' } : {}) }),
    }),
  },
)

const request = (instance = testInstance()) => ({
  instance,
  image: { properties: {} },
  allocations: {},
  networkInfo: [],
  blockDeviceInfo: { blockDevices: [] },
})

describe('the fake driver', () => {
  it('is compute_driver = fake.FakeDriver with [fake_driver] capacity and node name', async () => {
    const { config } = loadConfig({
      overrides: {
        DEFAULT: { host: 'cmp1' },
        fake_driver: { vcpus: '8', memory_mb: '4096', local_gb: '40' },
      },
    })
    const driver = loadComputeDriver(config)
    assert.ok(driver instanceof FakeDriver)
    await driver.initHost('cmp1')
    assert.deepEqual(driver.nodeNames(), ['cmp1'])
    const r = await driver.getAvailableResource('cmp1')
    assert.deepEqual(
      [r.vcpus, r.memoryMb, r.localGb, r.hypervisorType, r.hypervisorVersion],
      [8, 4096, 40, 'fake', 1000],
    )
    assert.throws(() => loadComputeDriver(config, 'nope.Driver'), /known drivers: fake.FakeDriver/)
  })

  it('fails the first N spawns ([fake_driver] fail_spawns) and leaves no guest behind', async () => {
    const { config } = loadConfig({ overrides: { fake_driver: { fail_spawns: '2' } } })
    const driver = loadComputeDriver(config)
    await driver.initHost('h')
    await assert.rejects(driver.spawn(request()), SpawnFailed)
    await assert.rejects(driver.spawn(request()), SpawnFailed)
    await driver.spawn(request())
    assert.equal((await driver.listInstanceUuids()).length, 1)
  })

  it('fails spawns of instances whose name matches fail_spawn_name_pattern', async () => {
    const { config } = loadConfig({ overrides: { fake_driver: { fail_spawn_name_pattern: '^doomed' } } })
    const driver = loadComputeDriver(config)
    await assert.rejects(driver.spawn(request(testInstance({ displayName: 'doomed-1' }))), /name matches/)
    await driver.spawn(request(testInstance({ displayName: 'fine-1' })))
  })

  it('failNext makes the next call of an operation fail once; spawns take spawn_delay_ms', async () => {
    const driver = new FakeDriver({ vcpus: 1, memoryMb: 1, localGb: 1, spawnDelayMs: 50 })
    const instance = testInstance()
    const started = Date.now()
    await driver.spawn(request(instance))
    assert.ok(Date.now() - started >= 45)
    driver.failNext('pause', new Error('boom'))
    await assert.rejects(driver.pause(instance), /boom/)
    assert.equal((await driver.getInfo(instance)).state, PowerState.RUNNING)
    await driver.pause(instance)
    assert.equal((await driver.getInfo(instance)).state, PowerState.PAUSED)
  })

  it("gives Nova's fake diagnostics and capability traits", async () => {
    const driver = new FakeDriver({ vcpus: 1, memoryMb: 1, localGb: 1 })
    const instance = testInstance()
    await driver.spawn(request(instance))
    const d = await driver.getDiagnostics(instance)
    assert.equal(d.cpu0_time, 17300000000)
    assert.equal(d.memory, 524288)
    assert.match(await driver.getConsoleOutput(instance), /^FAKE CONSOLE OUTPUT\n/)
    const traits = capabilityTraits(driver.capabilities)
    for (const t of [
      'COMPUTE_VOLUME_MULTI_ATTACH',
      'COMPUTE_NET_ATTACH_INTERFACE',
      'COMPUTE_IMAGE_TYPE_QCOW2',
    ])
      assert.ok(traits.includes(t), t)
    assert.ok(!traits.includes('COMPUTE_SAME_HOST_COLD_MIGRATE'))
  })

  it('setPowerState simulates a guest that crashed or stopped behind nova-compute', async () => {
    const driver = new FakeDriver({ vcpus: 1, memoryMb: 1, localGb: 1 })
    const instance = testInstance()
    await driver.spawn(request(instance))
    driver.setPowerState(instance.uuid, PowerState.CRASHED)
    assert.equal((await driver.getInfo(instance)).state, PowerState.CRASHED)
    await driver.powerOn(instance)
    assert.equal((await driver.getInfo(instance)).state, PowerState.RUNNING)
  })
})
