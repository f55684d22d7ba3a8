import { strict as assert } from 'node:assert'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { InstanceSpec } from '../../src/services/compute/driver/driver.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import {
  killGuestsOnExit,
  testGuestFetcher,
  testGuestFiles,
  testGuestImageMeta,
} from '../support/qemu-guest.js'
import { testInstance } from './driver-conformance.js'

// Real guests under TCG: a deleted guest leaves nothing behind, and its cached images (root disk, kernel, ramdisk)
// stay while a guest (running or stopped) uses them or their last use is younger than the age; then they go.

/** The process is gone (or a zombie not reaped yet). */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')
  } catch {
    return true
  }
}

describe('the QEMU driver ages its image cache (Nova image cache manager)', { timeout: 300_000 }, () => {
  let dir: string
  let instancesPath: string
  let driver: QemuDriver
  const flavor = { vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 0, swapMb: 0 }
  const running = testInstance({ flavor })
  const stopped = testInstance({ flavor })
  const cached = () => readdirSync(path.join(instancesPath, '_base')).sort()
  const pass = (minimumAgeS: number) => driver.manageImageCache({ removeUnusedBaseImages: true, minimumAgeS })

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nova-qemu-cache-'))
    instancesPath = path.join(dir, 'instances')
    killGuestsOnExit(instancesPath)
    const files = await testGuestFiles()
    driver = new QemuDriver({ instancesPath, virtType: 'auto', fetchImage: testGuestFetcher(files) })
    await driver.initHost('qemu-cache')
    const spawn = (instance: InstanceSpec, powerOn: boolean) =>
      driver.spawn({
        instance,
        image: testGuestImageMeta(files),
        allocations: {},
        networkInfo: [],
        blockDeviceInfo: { blockDevices: [] },
        powerOn,
      })
    await spawn(running, true)
    await spawn(stopped, false)
  })
  after(async () => {
    for (const guest of [running, stopped]) await driver.destroy(guest).catch(() => undefined)
    await driver.cleanupHost()
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps the images a running or a stopped guest uses, however old', async () => {
    const images = cached()
    assert.equal(images.length, 3, 'root disk, kernel and ramdisk')
    await sleep(1100)
    const report = await pass(1)
    assert.deepEqual([...report.inUse].sort(), images)
    assert.deepEqual(report.removed, [])
    assert.deepEqual(cached(), images)
  })

  it('delete leaves no qemu process, no instance folder, overlay or sockets; the images stay for the stopped guest', async () => {
    const pid = driver.pidOf(running.uuid)
    assert.ok(pid !== undefined && !gone(pid))
    const guestDir = path.join(instancesPath, running.uuid)
    assert.ok(existsSync(path.join(guestDir, 'disk')) && existsSync(path.join(guestDir, 'qmp.sock')))
    await driver.destroy(running)
    assert.ok(gone(pid), 'the qemu process is gone')
    assert.ok(!existsSync(guestDir), 'the instance folder (overlay, sockets, pidfile, log) is gone')
    await sleep(1100)
    assert.deepEqual((await pass(1)).removed, [], 'the stopped guest still uses them')
    assert.equal(cached().length, 3)
  })

  it('once no guest uses them, the images stay while younger than the age and are removed after it', async () => {
    await driver.destroy(stopped)
    assert.deepEqual(readdirSync(instancesPath), ['_base'])
    const young = await pass(3600)
    assert.deepEqual(young.removed, [])
    assert.equal(young.kept.length, 3, 'used a moment ago')
    await sleep(1100)
    const old = await pass(1)
    assert.equal(old.removed.length, 3)
    assert.deepEqual(cached(), [])
  })
})
