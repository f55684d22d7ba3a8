import { strict as assert } from 'node:assert'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { LiveMigrationAborted } from '../../src/common/errors/index.js'
import {
  GuestNotFound,
  PowerState,
  type InstanceSpec,
  type LiveMigrationPlan,
  type LiveMigrationProgress,
  type SpawnRequest,
} from '../../src/services/compute/driver/index.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import { guestPaths } from '../../src/services/compute/drivers/qemu/argv.js'
import { incomingPaths } from '../../src/services/compute/drivers/qemu/incoming-migration.js'
import {
  killGuestsOnExit,
  TEST_GUEST_MARKER,
  testGuestFetcher,
  testGuestFiles,
  testGuestImageMeta,
} from '../support/qemu-guest.js'
import { testInstance } from './driver-conformance.js'

// Live migration between two QEMU drivers on this machine (real TCG guests): over a shared instances path (both
// QEMUs open the same overlay) and over separate ones (block migration: NBD + disk mirror). The guest's heartbeat
// (novats.hb=1) shows it goes on without a reboot. Never skipped: a host without QEMU fails it.

const TIMEOUT_MS = 600_000

describe('live migration of real QEMU guests', { timeout: TIMEOUT_MS }, () => {
  let dir: string
  const drivers: QemuDriver[] = []
  let source: QemuDriver
  let sharedPeer: QemuDriver
  let blockPeer: QemuDriver
  /** A source whose migrations are capped at 8 MiB/s (slow enough to abort in the RAM phase). */
  let slowSource: QemuDriver
  let image: SpawnRequest['image']

  const newDriver = async (instancesPath: string, host: string, bandwidthMiBs = 0) => {
    killGuestsOnExit(instancesPath)
    const driver = new QemuDriver({
      instancesPath,
      virtType: 'auto',
      fetchImage: testGuestFetcher(await testGuestFiles()),
      liveMigrationBandwidthMiBs: bandwidthMiBs,
    })
    await driver.initHost(host)
    drivers.push(driver)
    return driver
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nova-qlive-'))
    const meta = testGuestImageMeta(await testGuestFiles())
    const cmdline = `${meta.properties.os_command_line} novats.hb=1`
    image = { ...meta, properties: { ...meta.properties, os_command_line: cmdline } }
    source = await newDriver(path.join(dir, 'a'), 'qemu-src')
    sharedPeer = await newDriver(path.join(dir, 'a'), 'qemu-shared')
    blockPeer = await newDriver(path.join(dir, 'b'), 'qemu-block')
    slowSource = await newDriver(path.join(dir, 'c'), 'qemu-slow', 8)
  })
  after(async () => {
    for (const driver of drivers) {
      for (const uuid of await driver.listInstanceUuids())
        await driver.destroy({ uuid, name: uuid }).catch(() => undefined)
      await driver.cleanupHost()
    }
    await rm(dir, { recursive: true, force: true })
  })

  const request = (instance: InstanceSpec): SpawnRequest => ({
    instance,
    image,
    allocations: {},
    networkInfo: [],
    blockDeviceInfo: { blockDevices: [] },
  })

  const consoleOf = (driver: QemuDriver, guest: InstanceSpec) => driver.getConsoleOutput(guest)
  const heartbeat = async (driver: QemuDriver, guest: InstanceSpec): Promise<number> =>
    Number([...(await consoleOf(driver, guest)).matchAll(/NOVA-TS-HB (\d+)/g)].at(-1)?.[1] ?? 0)
  const heartbeatPast = async (driver: QemuDriver, guest: InstanceSpec, n: number): Promise<number> => {
    const deadline = Date.now() + 120_000
    for (let h = await heartbeat(driver, guest); ; h = await heartbeat(driver, guest)) {
      if (h > n) return h
      if (Date.now() > deadline)
        assert.fail(`the heartbeat stayed at ${h}:\n${await consoleOf(driver, guest)}`)
      await sleep(100)
    }
  }
  const boots = async (driver: QemuDriver, guest: InstanceSpec) =>
    (await consoleOf(driver, guest)).split(`${TEST_GUEST_MARKER} uuid=${guest.uuid}`).length - 1

  /** The process is gone (or a zombie not reaped yet). */
  const gone = (pid: number): boolean => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
    } catch {
      return true
    }
  }

  /** Types a command line into the guest's shell on its serial console socket. */
  const type = (driver: QemuDriver, guest: InstanceSpec, line: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(driver.pathsOf(guest.uuid).serial, () => socket.end(`${line}\n`))
      socket.resume() // the echo is read from the console log; reading the socket lets it see QEMU's close
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
  /** Runs `command` in the guest; resolves with what it printed after `tag` on the console. */
  const inGuest = async (driver: QemuDriver, guest: InstanceSpec, tag: string, command: string) => {
    await type(driver, guest, `echo ${tag} $(${command})`)
    const deadline = Date.now() + 60_000
    for (;;) {
      const found = new RegExp(`^${tag} (.+)$`, 'm').exec(await consoleOf(driver, guest))
      if (found !== null) return found[1]!.trim()
      if (Date.now() > deadline) assert.fail(`no ${tag} line:\n${await consoleOf(driver, guest)}`)
      await sleep(200)
    }
  }
  /** 8 MiB at 16 MiB into the guest's disk, read from the device (not the guest's page cache). */
  const readDisk =
    'sync; echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=1M skip=16 count=8 2>/dev/null | md5sum'

  /** A booted guest on `driver`, its heartbeat going. */
  const bootGuest = async (driver: QemuDriver, memoryMb: number): Promise<InstanceSpec> => {
    const guest = testInstance({ flavor: { vcpus: 1, memoryMb, rootGb: 1, ephemeralGb: 0, swapMb: 0 } })
    await driver.spawn(request(guest))
    await heartbeatPast(driver, guest, 1)
    return guest
  }

  /** The compute manager's order of calls; `onReport` sees every progress report with the abort controller. */
  const liveMigrate = async (
    from: QemuDriver,
    to: QemuDriver,
    guest: InstanceSpec,
    onReport?: (progress: LiveMigrationProgress, abort: AbortController) => void,
  ): Promise<{
    plan: LiveMigrationPlan
    reports: LiveMigrationProgress[]
    transferMs: number
    totalMs: number
  }> => {
    const started = Date.now()
    const check = await to.checkCanLiveMigrateDestination(guest, {
      blockMigration: 'auto',
      diskOverCommit: false,
    })
    let plan: LiveMigrationPlan
    try {
      plan = await from.checkCanLiveMigrateSource(guest, check)
    } finally {
      await to.cleanupLiveMigrationDestinationCheck(check)
    }
    const { uri } = await to.preLiveMigration(request(guest), plan)
    const abort = new AbortController()
    const reports: LiveMigrationProgress[] = []
    const transferStarted = Date.now()
    try {
      await from.liveMigration(
        guest,
        { destinationHost: 'peer', destinationUri: uri, plan },
        {
          signal: abort.signal,
          onProgress: (progress) => {
            reports.push(progress)
            onReport?.(progress, abort)
          },
        },
      )
    } catch (error) {
      await to.rollbackLiveMigrationAtDestination(guest, plan)
      throw error
    }
    const transferMs = Date.now() - transferStarted
    await from.postLiveMigrationAtSource(guest, plan)
    await to.postLiveMigrationAtDestination(guest, { plan, paused: false })
    return { plan, reports, transferMs, totalMs: Date.now() - started }
  }

  for (const memoryMb of [128, 256])
    for (const shared of [true, false]) {
      const how = shared ? 'over a shared instances path' : 'by block migration (separate instances paths)'
      it(`a ${memoryMb} MiB guest moves ${how}: its heartbeat goes on there without a reboot; the source QEMU is gone`, async () => {
        const peer = shared ? sharedPeer : blockPeer
        const guest = await bootGuest(source, memoryMb)
        const pid = source.pidOf(guest.uuid)!
        const written = await inGuest(
          source,
          guest,
          'WROTE',
          `dd if=/dev/urandom of=/dev/vda bs=1M seek=16 count=8 2>/dev/null; ${readDisk}`,
        )
        const before = await heartbeat(source, guest)
        const { plan, reports, transferMs, totalMs } = await liveMigrate(source, peer, guest)
        console.log(
          `live migration ${memoryMb} MiB ${shared ? 'shared' : 'block'}: transfer ${transferMs} ms, ` +
            `with checks, pre and post ${totalMs} ms`,
        )
        assert.deepEqual(plan, { blockMigration: !shared, sharedInstancePath: shared })
        const last = reports.at(-1)!
        assert.ok(last.memoryTotal >= memoryMb * 1024 * 1024 * 0.9, JSON.stringify(last))
        assert.ok(last.memoryProcessed > 0 && last.memoryRemaining === 0, JSON.stringify(last))
        // A block migration mirrors what the guest wrote into its overlay (the 8 MiB at least), not the base.
        if (!shared)
          assert.ok(last.diskTotal >= 8 * 1024 * 1024 && last.diskRemaining === 0, JSON.stringify(last))
        else assert.equal(last.diskTotal, 0)

        assert.ok(gone(pid), 'the source QEMU is gone')
        await assert.rejects(source.getInfo(guest), GuestNotFound)
        assert.ok(!(await source.listInstanceUuids()).includes(guest.uuid))
        assert.equal((await peer.getInfo(guest)).state, PowerState.RUNNING)
        assert.deepEqual(await peer.listInstanceUuids(), [guest.uuid])
        await heartbeatPast(peer, guest, before + 2)
        // The shared console log holds the whole life (one boot); a block migration's destination log only the part
        // after the move (no boot at all).
        assert.equal(await boots(peer, guest), shared ? 1 : 0, 'no reboot')
        assert.equal(await inGuest(peer, guest, 'READ', readDisk), written, 'the disk data came along')
        const guestDir = (root: string) => path.join(dir, root, guest.uuid)
        if (shared) {
          const record = JSON.parse(readFileSync(path.join(guestDir('a'), 'guest.json'), 'utf8'))
          assert.equal(record.host, 'qemu-shared', 'guest.json names the new host')
        } else {
          assert.ok(!existsSync(guestDir('a')), 'the source directory is removed')
          assert.deepEqual(
            (await readdir(guestDir('b'))).filter((f) => /-in\.|migrate|nbd/.test(f)),
            [],
            'no migration leftovers',
          )
        }
        // The guest is the destination's own: a restarted destination driver re-adopts it, the source's does not.
        const again = await newDriver(
          path.join(dir, shared ? 'a' : 'b'),
          shared ? 'qemu-shared' : 'qemu-block',
        )
        assert.deepEqual(await again.listInstanceUuids(), [guest.uuid])
        assert.equal(again.pidOf(guest.uuid), peer.pidOf(guest.uuid))
        await again.cleanupHost()
        drivers.splice(drivers.indexOf(again), 1)
        const sourceAgain = await newDriver(path.join(dir, 'a'), 'qemu-src')
        assert.deepEqual(await sourceAgain.listInstanceUuids(), [])
        drivers.splice(drivers.indexOf(sourceAgain), 1)
        await peer.destroy(guest)
      })
    }

  it('a destination restarted before it adopted the guest does not adopt it; its rollback removes what was prepared', async () => {
    const guest = await bootGuest(slowSource, 128)
    const check = await blockPeer.checkCanLiveMigrateDestination(guest, {
      blockMigration: 'auto',
      diskOverCommit: false,
    })
    const plan = await slowSource.checkCanLiveMigrateSource(guest, check)
    await blockPeer.cleanupLiveMigrationDestinationCheck(check)
    await blockPeer.preLiveMigration(request(guest), plan)
    const incomingPid = Number(
      readFileSync(incomingPaths(guestPaths(path.join(dir, 'b'), guest.uuid), 'qemu-block').pidfile, 'utf8'),
    )
    assert.ok(!gone(incomingPid), 'the destination QEMU waits')
    await blockPeer.cleanupHost()
    const restarted = await newDriver(path.join(dir, 'b'), 'qemu-block')
    assert.deepEqual(await restarted.listInstanceUuids(), [])
    await restarted.rollbackLiveMigrationAtDestination(guest, plan)
    assert.ok(gone(incomingPid), 'the destination QEMU is gone')
    assert.ok(!existsSync(path.join(dir, 'b', guest.uuid)))
    assert.equal((await slowSource.getInfo(guest)).state, PowerState.RUNNING)
    blockPeer = restarted
    await slowSource.destroy(guest)
  })

  it('an abort while the memory moves leaves the guest running on the source; the destination keeps nothing', async () => {
    const guest = await bootGuest(slowSource, 128)
    const pid = slowSource.pidOf(guest.uuid)
    await assert.rejects(
      liveMigrate(slowSource, blockPeer, guest, (progress, abort) => {
        if (progress.memoryProcessed > 0) abort.abort()
      }),
      LiveMigrationAborted,
    )
    assert.equal(slowSource.pidOf(guest.uuid), pid)
    assert.equal((await slowSource.getInfo(guest)).state, PowerState.RUNNING)
    await heartbeatPast(slowSource, guest, (await heartbeat(slowSource, guest)) + 1)
    assert.equal(await boots(slowSource, guest), 1, 'no reboot')
    assert.deepEqual(await blockPeer.listInstanceUuids(), [])
    assert.ok(!existsSync(path.join(dir, 'b', guest.uuid)), 'the destination removed its files')
    await slowSource.destroy(guest)
  })
})
