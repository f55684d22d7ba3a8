import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { PowerState } from '../../src/services/compute/driver/power-state.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import {
  killGuestsOnExit,
  TEST_GUEST_MARKER,
  testGuestFetcher,
  testGuestFiles,
  testGuestImageMeta,
} from '../support/qemu-guest.js'
import { testInstance } from './driver-conformance.js'

// A soft reboot of a real guest (TCG): the guest shuts itself down on the ACPI power button, then boots again in
// a new QEMU, as Nova's libvirt driver re-creates the domain once the guest is down.

describe('soft reboot of a QEMU guest', { timeout: 300_000 }, () => {
  let dir: string
  let driver: QemuDriver
  const guest = testInstance()

  const consoleShows = async (pattern: RegExp): Promise<string> => {
    const deadline = Date.now() + 120_000
    for (;;) {
      const output = await driver.getConsoleOutput(guest)
      if (pattern.test(output)) return output
      if (Date.now() > deadline) assert.fail(`the console never showed ${pattern}:\n${output}`)
      await sleep(200)
    }
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'nova-qemu-reboot-'))
    const instancesPath = path.join(dir, 'instances')
    killGuestsOnExit(instancesPath)
    const files = await testGuestFiles()
    driver = new QemuDriver({ instancesPath, virtType: 'auto', fetchImage: testGuestFetcher(files) })
    await driver.initHost('qemu-reboot')
    await driver.spawn({
      instance: guest,
      image: testGuestImageMeta(files),
      allocations: {},
      networkInfo: [],
      blockDeviceInfo: { blockDevices: [] },
    })
  })
  after(async () => {
    await driver.destroy(guest).catch(() => undefined)
    await driver.cleanupHost()
    await rm(dir, { recursive: true, force: true })
  })

  it('shuts the guest down cleanly, then boots it again in a new QEMU', async () => {
    await consoleShows(new RegExp(TEST_GUEST_MARKER))
    const pid = driver.pidOf(guest.uuid)
    await driver.reboot(guest, 'SOFT')
    assert.equal((await driver.getInfo(guest)).state, PowerState.RUNNING)
    assert.notEqual(driver.pidOf(guest.uuid), pid, 'a new QEMU')
    const output = await consoleShows(
      new RegExp(`ACPI power button, powering off[\\s\\S]*${TEST_GUEST_MARKER}`),
    )
    assert.equal(output.split(TEST_GUEST_MARKER).length - 1, 2, 'two boots')
  })
})
