import { strict as assert } from 'node:assert'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createComputeNodesRepository, createServicesRepository } from '../../src/db/index.js'
import { createMovesRepository } from '../../src/db/repositories/migrations.js'
import type { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { until, type BuildCloud } from '../support/build-harness.js'
import { startMoveCloud } from '../support/move-cloud.js'
import { killGuestsOnExit, TEST_GUEST_MARKER, testGuestFiles } from '../support/qemu-guest.js'
import { uploadTestGuest } from '../../src/process/default-image.js'

// Evacuate with real guests: two nova-compute services with the QEMU driver (TCG here) on one machine, each with
// its own instances path. The source's nova-compute stops and its QEMU is killed (a dead host); the server is
// rebuilt from its image on the other host and boots to its marker. Never skipped: a host without QEMU fails it.

const HOSTS = ['qemu-a', 'qemu-b'] as const

describe('evacuate a real QEMU guest from a dead host to another QEMU compute', { timeout: 400_000 }, () => {
  let cloud: BuildCloud
  let imageId: string
  const drivers = new Map<string, QemuDriver>()
  const instancesOf = (host: string) => path.join(cloud.dir, `instances-${host}`)
  const act = (id: string, body: object, version?: string) =>
    cloud.call('POST', `/servers/${id}/action`, body, 'ADMIN', version)
  const waitMarker = (id: string) =>
    until(
      `the guest marker of ${id}`,
      async () => {
        const r = await act(id, { 'os-getConsoleOutput': { length: 50 } })
        return r.status === 200 && String(r.body.output).includes(`${TEST_GUEST_MARKER} uuid=${id}`)
          ? true
          : undefined
      },
      150_000,
    )

  /** Starts (or restarts, with a new driver object as a new process would) the nova-compute of `host`. */
  const startCompute = async (host: string) => {
    const admin = cloud.images('ADMIN')
    const driver = new QemuDriver({
      instancesPath: instancesOf(host),
      nodename: host,
      virtType: 'auto',
      fetchImage: (id, file) => admin.downloadTo(id, file),
    })
    drivers.set(host, driver)
    killGuestsOnExit(instancesOf(host))
    const compute = cloud.makeCompute(host, { driver: driver as unknown as FakeDriver })
    cloud.computes.set(host, compute)
    await compute.start()
  }

  const forceDown = async (host: string, down: boolean) => {
    const services = createServicesRepository(cloud.mainDb)
    const service = await services.getByHostAndBinary(host, 'nova-compute')
    await services.update(service!.id, { forcedDown: down })
  }

  before(async () => {
    cloud = await startMoveCloud({ computes: [] })
    const files = await testGuestFiles()
    const admin = cloud.images('ADMIN')
    imageId = (await uploadTestGuest(admin, files, { name: 'test-guest' })).ami
    for (const host of HOSTS) await startCompute(host)
    const flavor = await cloud.call(
      'POST',
      '/flavors',
      { flavor: { name: 'qemu.tiny', id: 'qt', ram: 128, vcpus: 1, disk: 1 } },
      'ADMIN',
    )
    assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
  })
  after(async () => {
    for (const driver of drivers.values())
      for (const uuid of await driver.listInstanceUuids()) await driver.destroy({ uuid, name: uuid })
    await cloud.close()
  })

  it('the source dies (nova-compute stopped, QEMU killed): evacuate boots the guest on the other host; the source cleans up when it returns', async () => {
    const created = await cloud.call('POST', '/servers', {
      server: { name: 'evac-real', flavorRef: 'qt', imageRef: imageId, networks: 'none' },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    const id = created.body.server.id as string
    const booted = await cloud.status(id, 'ACTIVE')
    const source = booted['OS-EXT-SRV-ATTR:host'] as string
    const dest = source === HOSTS[0] ? HOSTS[1] : HOSTS[0]
    await waitMarker(id)

    // The host dies: its nova-compute stops, the operator forces it down, and its guest goes with the host.
    await cloud.computes.get(source)!.stop(1000)
    await forceDown(source, true)
    const pid = drivers.get(source)!.pidOf(id)!
    assert.ok(existsSync(`/proc/${pid}`), 'the guest outlived its nova-compute')
    process.kill(pid, 'SIGKILL')
    await until('the dead QEMU reaped', async () => (existsSync(`/proc/${pid}/cmdline`) ? undefined : true))

    const started = Date.now()
    const r = await act(id, { evacuate: {} }, '2.29')
    assert.equal(r.status, 200, JSON.stringify(r.body))
    await until(
      'ACTIVE on the destination',
      async () => {
        const s = await cloud.call('GET', `/servers/${id}`, undefined, 'ADMIN')
        return s.body.server?.status === 'ACTIVE' && s.body.server['OS-EXT-SRV-ATTR:host'] === dest
          ? true
          : undefined
      },
      150_000,
    )
    await waitMarker(id)
    console.log(`evacuate → guest marker on ${dest}: ${Date.now() - started} ms`)
    const destPid = drivers.get(dest)!.pidOf(id)
    assert.ok(
      destPid !== undefined && existsSync(`/proc/${destPid}`),
      'a QEMU runs the guest on the destination',
    )
    assert.ok(existsSync(path.join(instancesOf(source), id)), 'the dead host still has the guest’s files')

    // The source comes back (a new nova-compute process, a new driver): it removes what the evacuation left.
    await startCompute(source)
    await forceDown(source, false)
    assert.ok(!existsSync(path.join(instancesOf(source), id)), 'the source removed the evacuated guest')
    assert.equal((await createMovesRepository(cloud.mainDb).ofInstance(id))[0]?.status, 'completed')
    const [destNode] = await createComputeNodesRepository(cloud.mainDb).list({ host: dest })
    const placement = new PlacementClient(cloud.placement!.transport)
    assert.deepEqual(Object.keys((await placement.allocationsOf(id)).allocations), [destNode!.uuid])
    assert.equal(drivers.get(dest)!.pidOf(id), destPid, 'the evacuated guest runs on')

    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    await until('the server gone', async () =>
      (await cloud.call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
    )
    assert.ok(!existsSync(path.join(instancesOf(dest), id)), 'the destination’s instance directory is gone')
  })
})
