import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { after, afterEach, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  InvalidLocalStorage,
  InvalidSharedStorage,
  LiveMigrationAborted,
} from '../../src/common/errors/index.js'
import {
  GuestInvalidState,
  GuestNotFound,
  PowerState,
  supportsLiveMigration,
  supportsRescue,
  supportsResize,
  supportsSnapshot,
  type HypervisorDriver,
  type InstanceSpec,
  type LiveMigrationCapable,
  type LiveMigrationPlan,
  type LiveMigrationProgress,
  type SpawnRequest,
} from '../../src/services/compute/driver/index.js'
import {
  supportsHostUptime,
  supportsInstanceDiagnostics,
  supportsSetAdminPassword,
  supportsTriggerCrashDump,
} from '../../src/services/compute/driver/driver.js'

export interface DriverUnderTest {
  readonly driver: HypervisorDriver
  /** Removes what the driver left (files, processes). */
  cleanup?(): Promise<void>
}

export interface ConformanceOptions {
  /** Host name given to initHost. */
  readonly host?: string
  /** Image the guests boot from (a real driver needs a bootable one). */
  readonly image?: SpawnRequest['image']
  /** Per-test timeout (real guests take seconds). */
  readonly timeoutMs?: number
  /** What the console of a guest shows once it has booted (a real guest's boot takes seconds); none for fake. */
  readonly bootedConsole?: RegExp
  /**
   * For a driver claiming liveMigration: a second driver of the same kind to migrate to (initHost is called with
   * another host name), whose instances path is the suite driver's own when `sharedInstancePath`, a separate one
   * otherwise.
   */
  readonly liveMigrationPeer?: (sharedInstancePath: boolean) => Promise<DriverUnderTest>
}

let counter = 0

/** An instance of flavor m1.tiny-ish sizes with a fresh uuid and hypervisor name. */
export function testInstance(overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  counter++
  return {
    uuid: randomUUID(),
    name: `instance-${counter.toString(16).padStart(8, '0')}`,
    displayName: `conformance-${counter}`,
    projectId: 'p-conformance',
    userId: 'u-conformance',
    flavor: { vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 0, swapMb: 0 },
    ...overrides,
  }
}

/**
 * The hypervisor driver conformance suite: every driver (fake, qemu, …) must pass it. Registers node:test cases
 * under `[driver:<name>]`; `factory` builds a fresh driver (called once for the suite).
 */
export function describeHypervisorDriver(
  name: string,
  factory: () => Promise<DriverUnderTest>,
  options: ConformanceOptions = {},
): void {
  const host = options.host ?? 'conformance-host'
  const image = options.image ?? {
    id: randomUUID(),
    diskFormat: 'raw',
    containerFormat: 'bare',
    properties: {},
  }
  const timeout = options.timeoutMs ?? 10_000

  describe(`[driver:${name}] hypervisor driver conformance`, { timeout }, () => {
    let under: DriverUnderTest
    let driver: HypervisorDriver
    const spawned: InstanceSpec[] = []

    before(async () => {
      under = await factory()
      driver = under.driver
      await driver.initHost(host)
    })
    // Each test's guests go when it ends: real guests cost CPU and memory.
    afterEach(async () => {
      for (const instance of spawned.splice(0)) await driver.destroy(instance).catch(() => undefined)
    })
    after(async () => {
      for (const instance of spawned) await driver.destroy(instance).catch(() => undefined)
      await driver.cleanupHost()
      await under.cleanup?.()
    })

    /**
     * An optional capability the driver does not have: it must not claim it either (a claimed capability
     * without its methods would let the API offer an action the compute cannot do).
     */
    const notClaimed = (capability: keyof HypervisorDriver['capabilities']): void => {
      assert.equal(driver.capabilities[capability], false, `claims ${capability} without implementing it`)
    }

    const spawn = async (instance = testInstance(), powerOn?: boolean): Promise<InstanceSpec> => {
      spawned.push(instance)
      await driver.spawn({
        instance,
        image,
        allocations: {},
        networkInfo: [],
        blockDeviceInfo: { blockDevices: [] },
        ...(powerOn === undefined ? {} : { powerOn }),
      })
      return instance
    }
    const state = async (instance: InstanceSpec) => (await driver.getInfo(instance)).state

    it('reports at least one node, and capabilities with image types', () => {
      assert.ok(driver.nodeNames().length >= 1)
      assert.ok(driver.capabilities.imageTypes.length >= 1)
    })

    it('spawn → RUNNING and listed; a second spawn of the same instance is refused', async () => {
      const instance = await spawn()
      assert.equal(await state(instance), PowerState.RUNNING)
      assert.ok((await driver.listInstanceUuids()).includes(instance.uuid))
      await assert.rejects(
        driver.spawn({
          instance,
          image,
          allocations: {},
          networkInfo: [],
          blockDeviceInfo: { blockDevices: [] },
        }),
      )
      assert.equal(await state(instance), PowerState.RUNNING, 'the refused spawn left the guest alone')
    })

    it('spawn with powerOn false → SHUTDOWN, then power on → RUNNING', async () => {
      const instance = await spawn(testInstance(), false)
      assert.equal(await state(instance), PowerState.SHUTDOWN)
      await driver.powerOn(instance)
      assert.equal(await state(instance), PowerState.RUNNING)
    })

    it('soft and hard reboot keep the guest RUNNING; hard reboot starts a stopped guest', async () => {
      const instance = await spawn()
      await driver.reboot(instance, 'SOFT')
      assert.equal(await state(instance), PowerState.RUNNING)
      await driver.reboot(instance, 'HARD')
      assert.equal(await state(instance), PowerState.RUNNING)
      await driver.powerOff(instance, { timeoutS: 0 })
      await driver.reboot(instance, 'HARD')
      assert.equal(await state(instance), PowerState.RUNNING)
    })

    it('power off → SHUTDOWN (twice is fine), power on → RUNNING (twice is fine)', async () => {
      const instance = await spawn()
      await driver.powerOff(instance, { timeoutS: 0 })
      assert.equal(await state(instance), PowerState.SHUTDOWN)
      await driver.powerOff(instance, { timeoutS: 0 })
      assert.equal(await state(instance), PowerState.SHUTDOWN)
      assert.ok((await driver.listInstanceUuids()).includes(instance.uuid), 'a stopped guest is still listed')
      await driver.powerOn(instance)
      assert.equal(await state(instance), PowerState.RUNNING)
      await driver.powerOn(instance)
      assert.equal(await state(instance), PowerState.RUNNING)
    })

    it('pause → PAUSED, unpause → RUNNING; unpause of a running guest is refused', async () => {
      const instance = await spawn()
      await driver.pause(instance)
      assert.equal(await state(instance), PowerState.PAUSED)
      await driver.unpause(instance)
      assert.equal(await state(instance), PowerState.RUNNING)
      await assert.rejects(driver.unpause(instance), GuestInvalidState)
    })

    it('suspend → SUSPENDED, resume → RUNNING; resume of a running guest is refused', async () => {
      const instance = await spawn()
      await driver.suspend(instance)
      assert.equal(await state(instance), PowerState.SUSPENDED)
      await driver.resume(instance)
      assert.equal(await state(instance), PowerState.RUNNING)
      await assert.rejects(driver.resume(instance), GuestInvalidState)
    })

    it('destroy → gone (GuestNotFound, not listed); destroying again succeeds', async () => {
      const instance = await spawn()
      await driver.destroy(instance)
      assert.ok(!(await driver.listInstanceUuids()).includes(instance.uuid))
      await assert.rejects(driver.getInfo(instance), GuestNotFound)
      await driver.destroy(instance)
      await driver.destroy(testInstance())
    })

    it('operations on an unknown guest reject with GuestNotFound', async () => {
      const ghost = testInstance()
      for (const op of [
        () => driver.getInfo(ghost),
        () => driver.powerOn(ghost),
        () => driver.pause(ghost),
        () => driver.reboot(ghost, 'HARD'),
        () => driver.getConsoleOutput(ghost),
      ])
        await assert.rejects(op(), GuestNotFound)
    })

    it('get_available_resource is consistent with the guests it runs', async () => {
      const node = driver.nodeNames()[0]!
      const before = await driver.getAvailableResource(node)
      assert.equal(before.hypervisorHostname, node)
      assert.ok(before.vcpus > 0 && before.memoryMb > 0 && before.localGb >= 0)
      assert.ok(before.hypervisorType.length > 0)
      assert.ok(Number.isInteger(before.hypervisorVersion))
      assert.ok(before.supportedInstances.length > 0)
      const flavor = { vcpus: 2, memoryMb: 256, rootGb: 1, ephemeralGb: 1, swapMb: 0 }
      const instance = await spawn(testInstance({ flavor }))
      const during = await driver.getAvailableResource(node)
      assert.equal(during.runningVms, before.runningVms + 1)
      assert.equal(during.vcpusUsed, before.vcpusUsed + 2)
      assert.equal(during.memoryMbUsed, before.memoryMbUsed + 256)
      assert.equal(during.localGbUsed, before.localGbUsed + 2)
      await driver.destroy(instance)
      const afterDestroy = await driver.getAvailableResource(node)
      assert.equal(afterDestroy.runningVms, before.runningVms)
      assert.equal(afterDestroy.vcpusUsed, before.vcpusUsed)
      assert.equal(afterDestroy.memoryMbUsed, before.memoryMbUsed)
    })

    it('console output is text and grows with a reboot; diagnostics are numbers', async () => {
      const instance = await spawn()
      const first = await driver.getConsoleOutput(instance)
      assert.equal(typeof first, 'string')
      await driver.reboot(instance, 'HARD')
      const second = await driver.getConsoleOutput(instance)
      assert.ok(second.length >= first.length)
      const diagnostics = await driver.getDiagnostics(instance)
      assert.ok(Object.keys(diagnostics).length > 0)
      for (const value of Object.values(diagnostics)) assert.equal(typeof value, 'number')
    })

    it('standard diagnostics, when supported, name the guest state and count its devices', async () => {
      if (!supportsInstanceDiagnostics(driver)) return notClaimed('instanceDiagnostics')
      const instance = await spawn()
      const d = await driver.getInstanceDiagnostics(instance)
      assert.equal(d.state, 'running')
      assert.equal(typeof d.driver, 'string')
      assert.ok(d.cpus.length > 0)
      assert.ok(d.memory.maximum > 0)
      await assert.rejects(driver.getInstanceDiagnostics(testInstance()), GuestNotFound)
    })

    it('the host uptime, when supported, is the `uptime` line', async () => {
      if (!supportsHostUptime(driver)) return notClaimed('hostUptime')
      assert.match(await driver.getHostUptime(), / up .*load average/)
    })

    it('a snapshot, when supported, yields image data in a format the driver boots, of a running and a stopped guest', async () => {
      if (!supportsSnapshot(driver)) return notClaimed('snapshot')
      const instance = await spawn()
      for (const when of ['running', 'stopped']) {
        if (when === 'stopped') await driver.powerOff(instance, { timeoutS: 0 })
        const steps: string[] = []
        const image = await driver.snapshot(instance, async (s) => {
          steps.push(s)
        })
        let bytes = 0
        for await (const chunk of image.data) bytes += chunk.length
        assert.ok(bytes > 0, when)
        assert.deepEqual(steps, ['image_pending_upload', 'image_uploading'], when)
        assert.ok(
          (driver.capabilities.imageTypes as readonly string[]).includes(image.diskFormat),
          `${when}: a snapshot in ${image.diskFormat}, which the driver does not boot`,
        )
      }
      assert.equal(await state(instance), PowerState.SHUTDOWN, 'the snapshot left the stopped guest stopped')
    })

    it('the admin password, when supported, is set in a running guest and refused in a stopped one', async () => {
      if (!supportsSetAdminPassword(driver)) return notClaimed('setAdminPassword')
      const instance = await spawn()
      await driver.setAdminPassword(instance, 'n3w-pass')
      await driver.powerOff(instance)
      await assert.rejects(driver.setAdminPassword(instance, 'other'), GuestInvalidState)
      await assert.rejects(driver.setAdminPassword(testInstance(), 'x'), GuestNotFound)
    })

    it('a crash dump, when supported, is triggered in a running or paused guest, refused when off', async () => {
      if (!supportsTriggerCrashDump(driver)) return notClaimed('triggerCrashDump')
      const instance = await spawn()
      await driver.triggerCrashDump(instance)
      await driver.pause(instance)
      await driver.triggerCrashDump(instance)
      await driver.unpause(instance)
      await driver.powerOff(instance)
      await assert.rejects(driver.triggerCrashDump(instance), GuestInvalidState)
      await assert.rejects(driver.triggerCrashDump(testInstance()), GuestNotFound)
    })

    it('console output of a booted guest has several lines (the API cuts them)', async () => {
      const instance = await spawn()
      let output = await driver.getConsoleOutput(instance)
      while (options.bootedConsole !== undefined && !options.bootedConsole.test(output)) {
        await sleep(200)
        output = await driver.getConsoleOutput(instance)
      }
      assert.ok(output.split('\n').length > 3, output)
    })

    it('a resize, when supported: the guest goes off and away, comes back with the new flavor; revert restores it', async () => {
      if (!supportsResize(driver)) return notClaimed('resize')
      const node = driver.nodeNames()[0]!
      const memoryUsed = async () => (await driver.getAvailableResource(node)).memoryMbUsed
      const baseline = await memoryUsed()
      const instance = await spawn()
      const bigger = { ...instance.flavor, vcpus: 2, memoryMb: 1024 }
      // The destination (here this host) names where the disks go, when the driver wants to.
      const target = await driver.prepareMigrationTarget?.(instance)
      await driver.migrateDiskAndPowerOff(instance, host, bigger, target === undefined ? {} : { target })
      await assert.rejects(driver.getInfo(instance), GuestNotFound)
      const request = (flavor: InstanceSpec['flavor']): SpawnRequest => ({
        instance: { ...instance, flavor },
        image,
        allocations: {},
        networkInfo: [],
        blockDeviceInfo: { blockDevices: [] },
      })
      await driver.finishMigration(request(bigger))
      assert.equal(await state(instance), PowerState.RUNNING)
      assert.equal((await memoryUsed()) - baseline, 1024, 'the guest has the new flavor')
      await driver.destroy(instance)
      await driver.finishRevertMigration(request(instance.flavor))
      assert.equal(await state(instance), PowerState.RUNNING)
      assert.equal((await memoryUsed()) - baseline, instance.flavor.memoryMb, 'the old flavor again')
      await driver.migrateDiskAndPowerOff(instance, host, bigger)
      await driver.finishMigration(request(bigger))
      await driver.confirmMigration(instance)
      assert.equal(await state(instance), PowerState.RUNNING)
    })

    it('rescue, when supported: RUNNING from the rescue image, twice refused; unrescue back, twice refused', async () => {
      if (!supportsRescue(driver)) return notClaimed('rescue')
      const instance = await spawn()
      await driver.rescue(instance, { adminPassword: 'pw' })
      assert.equal(await state(instance), PowerState.RUNNING)
      await assert.rejects(driver.rescue(instance, {}), GuestInvalidState)
      await driver.unrescue(instance)
      assert.equal(await state(instance), PowerState.RUNNING)
      await assert.rejects(driver.unrescue(instance), GuestInvalidState)
      await assert.rejects(driver.rescue(testInstance(), {}), GuestNotFound)
    })

    describe('live migration, when supported', () => {
      type Migrating = HypervisorDriver & LiveMigrationCapable
      const peers: { under: DriverUnderTest; guests: InstanceSpec[] }[] = []
      after(async () => {
        for (const { under: p, guests } of peers.splice(0)) {
          for (const g of guests) await p.driver.destroy(g).catch(() => undefined)
          await p.driver.cleanupHost()
          await p.cleanup?.()
        }
      })
      const peerOf = async (shared: boolean): Promise<{ peer: Migrating; peerHost: string }> => {
        assert.ok(options.liveMigrationPeer, 'a driver claiming liveMigration needs liveMigrationPeer')
        const p = await options.liveMigrationPeer(shared)
        const peerHost = `${host}-peer${peers.length}`
        peers.push({ under: p, guests: [] })
        await p.driver.initHost(peerHost)
        assert.ok(supportsLiveMigration(p.driver))
        return { peer: p.driver, peerHost }
      }
      const request = (instance: InstanceSpec): SpawnRequest => ({
        instance,
        image,
        allocations: {},
        networkInfo: [],
        blockDeviceInfo: { blockDevices: [] },
      })
      /** The compute manager's order of calls; `atFirstReport` runs inside the first progress report. */
      const liveMigrate = async (
        instance: InstanceSpec,
        to: { peer: Migrating; peerHost: string },
        blockMigration: boolean | 'auto',
        atFirstReport?: (abort: AbortController) => void,
        paused = false,
      ): Promise<{ plan: LiveMigrationPlan; reports: LiveMigrationProgress[] }> => {
        const source = driver as Migrating
        const { peer, peerHost } = to
        const check = await peer.checkCanLiveMigrateDestination(instance, {
          blockMigration,
          diskOverCommit: false,
        })
        let plan: LiveMigrationPlan
        try {
          plan = await source.checkCanLiveMigrateSource(instance, check)
        } finally {
          await peer.cleanupLiveMigrationDestinationCheck(check)
        }
        const { uri } = await peer.preLiveMigration(request(instance), plan)
        peers.find((p) => p.under.driver === peer)?.guests.push(instance)
        const abort = new AbortController()
        const reports: LiveMigrationProgress[] = []
        try {
          await source.liveMigration(
            instance,
            { destinationHost: peerHost, destinationUri: uri, plan },
            {
              signal: abort.signal,
              onProgress: (progress) => {
                reports.push(progress)
                if (reports.length === 1) atFirstReport?.(abort)
              },
            },
          )
        } catch (error) {
          await peer.rollbackLiveMigrationAtDestination(instance, plan)
          throw error
        }
        await source.postLiveMigrationAtSource(instance, plan)
        await peer.postLiveMigrationAtDestination(instance, { plan, paused })
        return { plan, reports }
      }
      const goneHere = async (instance: InstanceSpec) => {
        await assert.rejects(driver.getInfo(instance), GuestNotFound)
        assert.ok(!(await driver.listInstanceUuids()).includes(instance.uuid))
      }

      it('auto over separate instances paths is a block migration; the guest runs there, not here', async () => {
        if (!supportsLiveMigration(driver)) return notClaimed('liveMigration')
        const to = await peerOf(false)
        const instance = await spawn()
        const { plan, reports } = await liveMigrate(instance, to, 'auto')
        assert.deepEqual(plan, { blockMigration: true, sharedInstancePath: false })
        assert.ok(reports.length >= 1, 'progress was reported')
        for (const r of reports)
          for (const v of Object.values(r)) assert.ok(Number.isInteger(v) && v >= 0, JSON.stringify(r))
        assert.ok(reports.some((r) => r.memoryTotal > 0))
        // A block migration copies what the guest's disks hold beyond what the destination has (QEMU: the overlay
        // above the cached image), which is nothing for a guest that never wrote its disk.
        for (const r of reports) assert.equal(r.diskProcessed + r.diskRemaining, r.diskTotal)
        assert.equal((await to.peer.getInfo(instance)).state, PowerState.RUNNING)
        assert.ok((await to.peer.listInstanceUuids()).includes(instance.uuid))
        await goneHere(instance)
      })

      it('the storage decides: shared → no block migration; refusals name the storage', async () => {
        if (!supportsLiveMigration(driver)) return notClaimed('liveMigration')
        const separate = await peerOf(false)
        const shared = await peerOf(true)
        const instance = await spawn()
        await assert.rejects(liveMigrate(instance, separate, false), InvalidSharedStorage)
        await assert.rejects(liveMigrate(instance, shared, true), InvalidLocalStorage)
        assert.equal(await state(instance), PowerState.RUNNING, 'a refused check leaves the guest alone')
        const { plan } = await liveMigrate(instance, shared, 'auto')
        assert.deepEqual(plan, { blockMigration: false, sharedInstancePath: true })
        assert.equal((await shared.peer.getInfo(instance)).state, PowerState.RUNNING)
        await goneHere(instance)
      })

      it('an abort during the transfer keeps the guest running here; the peer keeps nothing', async () => {
        if (!supportsLiveMigration(driver)) return notClaimed('liveMigration')
        const to = await peerOf(false)
        const instance = await spawn()
        await assert.rejects(
          liveMigrate(instance, to, 'auto', (abort) => abort.abort()),
          LiveMigrationAborted,
        )
        assert.equal(await state(instance), PowerState.RUNNING)
        assert.ok(!(await to.peer.listInstanceUuids()).includes(instance.uuid))
        await liveMigrate(instance, to, 'auto')
        assert.equal((await to.peer.getInfo(instance)).state, PowerState.RUNNING, 'a second try succeeds')
      })

      it('force complete during the transfer finishes it, the guest running there; refused when idle', async () => {
        if (!supportsLiveMigration(driver)) return notClaimed('liveMigration')
        const source = driver as Migrating
        const to = await peerOf(false)
        const instance = await spawn()
        await assert.rejects(source.forceCompleteLiveMigration(instance), GuestInvalidState)
        let forced: Promise<void> | undefined
        await liveMigrate(instance, to, 'auto', () => {
          forced = source.forceCompleteLiveMigration(instance)
        })
        await forced
        assert.equal((await to.peer.getInfo(instance)).state, PowerState.RUNNING)
        await goneHere(instance)
      })

      it('a paused guest arrives paused; a stopped one is refused', async () => {
        if (!supportsLiveMigration(driver)) return notClaimed('liveMigration')
        const to = await peerOf(false)
        const instance = await spawn()
        await driver.pause(instance)
        await liveMigrate(instance, to, 'auto', undefined, true)
        assert.equal((await to.peer.getInfo(instance)).state, PowerState.PAUSED)
        const stopped = await spawn(testInstance(), false)
        await assert.rejects(liveMigrate(stopped, to, 'auto'), GuestInvalidState)
      })
    })
  })
}
