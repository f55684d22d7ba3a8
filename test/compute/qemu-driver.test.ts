import { strict as assert } from 'node:assert'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig } from '../../src/config/index.js'
import {
  capabilityTraits,
  GuestNotFound,
  PowerState,
  type HypervisorDriver,
  type InstanceSpec,
} from '../../src/services/compute/driver/index.js'
import { loadComputeDriver } from '../../src/services/compute/drivers/index.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import {
  killGuestsOnExit,
  TEST_GUEST_MARKER,
  TEST_IMAGE_IDS,
  testGuestFetcher,
  testGuestFiles,
  testGuestImageMeta,
} from '../support/qemu-guest.js'
import { describeHypervisorDriver, testInstance } from './driver-conformance.js'

// Real guests under TCG (KVM here is the PVM software layer): qemu-system-x86, qemu-utils, busybox-static and the
// cloud kernel .deb must be installed (.ci/run does it). Nothing here is skipped when they are missing: it fails.

const GUEST_TIMEOUT_MS = 300_000

async function newDriver(instancesPath: string, fetched: string[] = []): Promise<QemuDriver> {
  const files = await testGuestFiles()
  killGuestsOnExit(instancesPath)
  return new QemuDriver({
    instancesPath,
    virtType: 'auto',
    fetchImage: testGuestFetcher(files, fetched),
    softRebootWaitS: 60,
  })
}

async function waitForConsole(
  driver: HypervisorDriver,
  guest: InstanceSpec,
  pattern: RegExp,
): Promise<string> {
  const deadline = Date.now() + 120_000
  for (;;) {
    const output = await driver.getConsoleOutput(guest)
    if (pattern.test(output)) return output
    if (Date.now() > deadline) assert.fail(`the console never showed ${pattern}:\n${output}`)
    await sleep(200)
  }
}

/** The process is gone (or a zombie its parent, this test process, has not reaped yet). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

const marker = (uuid: string) => new RegExp(`${TEST_GUEST_MARKER} uuid=${uuid}`)

{
  let dir: string
  describeHypervisorDriver(
    'qemu',
    async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'nova-qemu-'))
      return {
        driver: await newDriver(path.join(dir, 'instances')),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      }
    },
    {
      image: testGuestImageMeta(await testGuestFiles()),
      timeoutMs: GUEST_TIMEOUT_MS,
      bootedConsole: new RegExp(TEST_GUEST_MARKER),
      // A second QEMU driver on this machine: on the suite driver's instances path, or on one of its own.
      liveMigrationPeer: async (shared) => {
        const own = shared ? undefined : await mkdtemp(path.join(dir, 'peer-'))
        return {
          driver: await newDriver(path.join(own ?? dir, 'instances')),
          ...(own === undefined ? {} : { cleanup: () => rm(own, { recursive: true, force: true }) }),
        }
      },
    },
  )
}

describe('the QEMU driver with a real guest', { timeout: GUEST_TIMEOUT_MS }, () => {
  let dir: string
  let instancesPath: string
  let driver: QemuDriver
  const fetched: string[] = []
  const guest = testInstance({ flavor: { vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 0, swapMb: 0 } })
  const state = async (d: HypervisorDriver = driver) => (await d.getInfo(guest)).state

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nova-qemu-'))
    instancesPath = path.join(dir, 'instances')
    driver = await newDriver(instancesPath, fetched)
    await driver.initHost('qemu-test')
  })
  after(async () => {
    await driver.destroy(guest).catch(() => undefined)
    await driver.cleanupHost()
    await rm(dir, { recursive: true, force: true })
  })

  it('is compute_driver = qemu.QemuDriver, runs TCG here, and reports capabilities as traits', async () => {
    const { config } = loadConfig({
      overrides: {
        DEFAULT: { state_path: dir, compute_driver: 'qemu.QemuDriver' },
        libvirt: { virt_type: 'auto' },
      },
    })
    const loaded = loadComputeDriver(config, undefined, { fetchImage: async () => undefined })
    assert.ok(loaded instanceof QemuDriver)
    assert.ok(
      loadComputeDriver(config, 'libvirt.LibvirtDriver', { fetchImage: async () => undefined }) instanceof
        QemuDriver,
    )
    assert.equal(driver.accelerator, 'tcg', 'this machine has no hardware KVM (the lab notes)')
    assert.deepEqual(capabilityTraits(driver.capabilities), [
      'COMPUTE_IMAGE_TYPE_AKI',
      'COMPUTE_IMAGE_TYPE_AMI',
      'COMPUTE_IMAGE_TYPE_ARI',
      'COMPUTE_IMAGE_TYPE_QCOW2',
      'COMPUTE_IMAGE_TYPE_RAW',
    ])
    const r = await driver.getAvailableResource('qemu-test')
    assert.equal(r.hypervisorType, 'QEMU')
    assert.ok(r.hypervisorVersion >= 7_000_000)
    assert.deepEqual(r.supportedInstances, [['x86_64', 'qemu', 'hvm']])
  })

  it('spawns a guest that prints its instance uuid; the images are downloaded once into the cache', async () => {
    const meta = testGuestImageMeta(await testGuestFiles())
    // novats.hb=1: the guest prints a heartbeat counter every second (continuity across pause and suspend).
    const cmdline = `${meta.properties.os_command_line} novats.hb=1`
    const image = { ...meta, properties: { ...meta.properties, os_command_line: cmdline } }
    const started = Date.now()
    await driver.spawn({
      instance: guest,
      image,
      allocations: {},
      networkInfo: [],
      blockDeviceInfo: { blockDevices: [] },
    })
    const spawnMs = Date.now() - started
    assert.equal(await state(), PowerState.RUNNING)
    await waitForConsole(driver, guest, marker(guest.uuid))
    console.log(`spawn ${spawnMs} ms, guest marker after ${Date.now() - started} ms`)
    assert.deepEqual([...fetched].sort(), Object.values(TEST_IMAGE_IDS).sort())
    assert.equal((await readdir(path.join(instancesPath, '_base'))).length, 3)
    const files = await readdir(path.join(instancesPath, guest.uuid))
    for (const f of ['disk', 'console.log', 'qmp.sock', 'serial.sock', 'vnc.sock', 'qemu.pid', 'guest.json'])
      assert.ok(files.includes(f), f)
  })

  /** The guest's last heartbeat number on its console. */
  const heartbeat = async (): Promise<number> =>
    Number([...(await driver.getConsoleOutput(guest)).matchAll(/NOVA-TS-HB (\d+)/g)].at(-1)?.[1] ?? 0)
  const heartbeatPast = async (n: number): Promise<number> => {
    const deadline = Date.now() + 60_000
    for (let h = await heartbeat(); ; h = await heartbeat()) {
      if (h > n) return h
      if (Date.now() > deadline) assert.fail(`the heartbeat stayed at ${h}`)
      await sleep(100)
    }
  }
  const boots = async () => (await driver.getConsoleOutput(guest)).split(TEST_GUEST_MARKER).length - 1

  it('pause stops the vCPUs (QMP stop: the heartbeat stops) and unpause resumes them (it goes on)', async () => {
    const before = await heartbeatPast(0)
    await driver.pause(guest)
    assert.equal(await state(), PowerState.PAUSED)
    const paused = await heartbeat()
    await sleep(2000)
    assert.ok((await heartbeat()) <= paused + 1, 'no heartbeat while paused')
    await driver.unpause(guest)
    assert.equal(await state(), PowerState.RUNNING)
    assert.ok((await heartbeatPast(paused)) > before)
    assert.equal(await boots(), 1, 'no reboot')
  })

  it('suspend saves the guest to a file and stops QEMU; resume restores it: the heartbeat goes on, no reboot', async () => {
    const before = await heartbeatPast(0)
    await driver.suspend(guest)
    assert.equal(await state(), PowerState.SUSPENDED)
    assert.equal(driver.pidOf(guest.uuid), undefined)
    assert.ok(existsSync(path.join(instancesPath, guest.uuid, 'suspended.state')))
    await driver.resume(guest)
    assert.equal(await state(), PowerState.RUNNING)
    assert.ok(!existsSync(path.join(instancesPath, guest.uuid, 'suspended.state')))
    await heartbeatPast(before + 1)
    assert.equal(await boots(), 1, 'no reboot')
  })

  it('a restarted driver re-adopts the running guest from its pidfile and QMP socket', async () => {
    const pid = driver.pidOf(guest.uuid)
    assert.ok(pid !== undefined)
    await driver.cleanupHost()
    const again = await newDriver(instancesPath)
    await again.initHost('qemu-test')
    assert.deepEqual(await again.listInstanceUuids(), [guest.uuid])
    assert.equal(again.pidOf(guest.uuid), pid)
    assert.equal(await state(again), PowerState.RUNNING)
    await again.cleanupHost()
  })

  it('power off presses the ACPI button: the guest powers itself off and its QEMU is gone; power on boots again', async () => {
    const pid = driver.pidOf(guest.uuid)!
    const started = Date.now()
    await driver.powerOff(guest, { timeoutS: 60, retryIntervalS: 5 })
    console.log(`ACPI power off ${Date.now() - started} ms`)
    assert.equal(await state(), PowerState.SHUTDOWN)
    assert.match(await driver.getConsoleOutput(guest), /ACPI power button, powering off/)
    assert.ok(gone(pid), 'the qemu process is gone')
    await driver.powerOn(guest)
    assert.equal(await state(), PowerState.RUNNING)
    const output = await waitForConsole(driver, guest, /ACPI power button[\s\S]*NOVA-TS-GUEST-READY/)
    assert.equal(output.match(new RegExp(marker(guest.uuid).source, 'g'))?.length, 2, 'two boots')
  })

  it('a guest whose QEMU was killed is SHUTDOWN; destroy removes its process and files', async () => {
    process.kill(driver.pidOf(guest.uuid)!, 'SIGKILL')
    await sleep(200)
    assert.equal(await state(), PowerState.SHUTDOWN)
    await driver.powerOn(guest)
    const pid = driver.pidOf(guest.uuid)!
    await driver.destroy(guest)
    assert.ok(gone(pid))
    assert.ok(!existsSync(path.join(instancesPath, guest.uuid)))
    await assert.rejects(driver.getInfo(guest), GuestNotFound)
    assert.equal((await readdir(path.join(instancesPath, '_base'))).length, 3, 'the cached images stay')
  })
})
