import { strict as assert } from 'node:assert'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { adminContext } from '../../src/common/context.js'
import type { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import { startBuildCloud, until, type BuildCloud } from '../support/build-harness.js'
import { killGuestsOnExit, TEST_GUEST_MARKER, testGuestFiles } from '../support/qemu-guest.js'
import { uploadTestGuest } from '../../src/process/default-image.js'

// A real guest through the whole path: compute API → conductor → scheduler → nova-compute with the QEMU driver
// (TCG here), the images downloaded from the image service into the compute's cache. Never skipped: a host
// without QEMU fails it (.ci/run installs it).

describe(
  'a server on a real QEMU guest (API → conductor → nova-compute, compute_driver qemu)',
  { timeout: 300_000 },
  () => {
    let cloud: BuildCloud
    let driver: QemuDriver
    let imageId: string
    const act = (id: string, body: object) => cloud.call('POST', `/servers/${id}/action`, body)
    const consoleOf = async (id: string): Promise<string> => {
      const r = await act(id, { 'os-getConsoleOutput': { length: 50 } })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return r.body.output as string
    }
    const waitConsole = (id: string, pattern: RegExp) =>
      until(
        `console of ${id} to match ${pattern}`,
        async () => {
          const output = await consoleOf(id)
          return pattern.test(output) ? output : undefined
        },
        120_000,
      )

    /** Starts nova-compute `qemu-1` with a new QemuDriver over the cloud's instances path. */
    const startCompute = async () => {
      const admin = cloud.images('ADMIN')
      driver = new QemuDriver({
        instancesPath: path.join(cloud.dir, 'instances'),
        virtType: 'auto',
        fetchImage: (id, file) => admin.downloadTo(id, file),
      })
      // The harness types its computes' drivers as fake ones; any HypervisorDriver serves.
      const compute = cloud.makeCompute('qemu-1', { driver: driver as unknown as FakeDriver })
      cloud.computes.set('qemu-1', compute)
      await compute.start()
      return compute
    }

    before(async () => {
      cloud = await startBuildCloud({ computes: [] })
      const files = await testGuestFiles()
      const admin = cloud.images('ADMIN')
      imageId = (await uploadTestGuest(admin, files, { name: 'test-guest' })).ami
      killGuestsOnExit(path.join(cloud.dir, 'instances'))
      await startCompute()
      const flavor = await cloud.call(
        'POST',
        '/flavors',
        { flavor: { name: 'qemu.tiny', id: 'qt', ram: 128, vcpus: 1, disk: 1 } },
        'ADMIN',
      )
      assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
    })
    after(async () => {
      for (const uuid of await driver.listInstanceUuids()) await driver.destroy({ uuid, name: uuid })
      await cloud.close()
    })

    it('boots to ACTIVE and the console log shows the guest marker with its own uuid; stop, start, delete', async () => {
      const started = Date.now()
      const created = await cloud.call('POST', '/servers', {
        server: { name: 'real-1', flavorRef: 'qt', imageRef: imageId, networks: 'none' },
      })
      assert.equal(created.status, 202, JSON.stringify(created.body))
      const id = created.body.server.id as string
      const server = await cloud.status(id, 'ACTIVE')
      const activeMs = Date.now() - started
      assert.equal(server['OS-EXT-STS:power_state'], 1)
      assert.equal(server['OS-EXT-SRV-ATTR:host'], 'qemu-1')
      await waitConsole(id, new RegExp(`${TEST_GUEST_MARKER} uuid=${id}`))
      console.log(`create → ACTIVE ${activeMs} ms, → guest marker ${Date.now() - started} ms`)
      const pid = driver.pidOf(id)
      assert.ok(pid !== undefined && existsSync(`/proc/${pid}`))

      assert.equal((await act(id, { 'os-stop': null })).status, 202)
      await cloud.status(id, 'SHUTOFF')
      assert.equal(driver.pidOf(id), undefined, 'no qemu process for a stopped server')
      assert.match(await consoleOf(id), /ACPI power button, powering off/, 'a clean shutdown of the guest')
      assert.equal((await act(id, { 'os-start': null })).status, 202)
      await cloud.status(id, 'ACTIVE')
      await waitConsole(id, new RegExp(`(${TEST_GUEST_MARKER} uuid=${id}[\\s\\S]*){2}`))

      assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
      await until('the server gone', async () =>
        (await cloud.call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
      )
      assert.ok(!existsSync(path.join(cloud.dir, 'instances', id)), 'the instance directory is gone')
      assert.deepEqual(await driver.listInstanceUuids(), [])
    })
    it('guests outlive nova-compute: after a restart the instance stays ACTIVE on the same QEMU; a killed QEMU is SHUTOFF at the next power sync', async () => {
      const created = await cloud.call('POST', '/servers', {
        server: { name: 'real-2', flavorRef: 'qt', imageRef: imageId, networks: 'none' },
      })
      assert.equal(created.status, 202, JSON.stringify(created.body))
      const id = created.body.server.id as string
      await cloud.status(id, 'ACTIVE')
      await waitConsole(id, new RegExp(`${TEST_GUEST_MARKER} uuid=${id}`))
      const pid = driver.pidOf(id)!
      await cloud.computes.get('qemu-1')!.stop(1000)
      assert.ok(existsSync(`/proc/${pid}`), 'the guest runs on without nova-compute')
      const compute = await startCompute()
      assert.equal(driver.pidOf(id), pid, 're-adopted from its pidfile')
      await compute.syncPowerStates(adminContext())
      const server = await cloud.status(id, 'ACTIVE')
      assert.equal(server['OS-EXT-STS:power_state'], 1)
      assert.equal((await consoleOf(id)).split(TEST_GUEST_MARKER).length - 1, 1, 'no reboot')
      process.kill(pid, 'SIGKILL')
      await until(
        'the qemu process gone',
        async () => (await driver.getInfo({ uuid: id, name: '' })).state === 4 || undefined,
      )
      await compute.syncPowerStates(adminContext())
      const stopped = await cloud.status(id, 'SHUTOFF')
      assert.equal(stopped['OS-EXT-STS:power_state'], 4)
      assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
      await until('the server gone', async () =>
        (await cloud.call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
      )
    })
  },
)
