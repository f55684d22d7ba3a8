import { strict as assert } from 'node:assert'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createComputeNodesRepository } from '../../src/db/index.js'
import type { LiveMigrationCapable } from '../../src/services/compute/driver/driver.js'
import type { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { until, type BuildCloud, type Obj } from '../support/build-harness.js'
import { startMoveCloud } from '../support/move-cloud.js'
import {
  killGuestsOnExit,
  killGuestsUnder,
  TEST_GUEST_MARKER,
  testGuestFiles,
} from '../support/qemu-guest.js'
import { uploadTestGuest } from '../../src/process/default-image.js'

// Issue 7's live migration acceptance: nova-compute hosts with the QEMU driver (TCG here) on one machine, a real
// guest moved by os-migrateLive through the API, the conductor and both computes. qemu-a1 and qemu-a2 share an
// instances path (both QEMUs open the same overlay), qemu-b has its own (block migration: NBD + disk mirror). The
// guest's heartbeat (novats.hb=1) must go on, never restarting (a reboot would count from 1 again).
// Never skipped: a host without QEMU fails it.

const SHARED = ['qemu-a1', 'qemu-a2'] as const
const HOSTS = [...SHARED, 'qemu-b'] as const

describe('os-migrateLive of a real QEMU guest between nova-compute hosts', { timeout: 900_000 }, () => {
  let cloud: BuildCloud
  let imageId: string
  const drivers = new Map<string, QemuDriver>()
  const instancesOf = (host: string) =>
    path.join(cloud.dir, (SHARED as readonly string[]).includes(host) ? 'instances-a' : 'instances-b')
  const admin = (method: string, url: string, body?: unknown, version = 'latest') =>
    cloud.call(method, url, body, 'ADMIN', version)
  const serverOf = async (id: string): Promise<Obj> => (await admin('GET', `/servers/${id}`)).body.server
  const hostOf = async (id: string): Promise<string> => (await serverOf(id))['OS-EXT-SRV-ATTR:host']
  const consoleOf = async (id: string) =>
    drivers.get(await hostOf(id))!.getConsoleOutput({ uuid: id, name: '' })
  const heartbeat = async (id: string): Promise<number> =>
    Number([...(await consoleOf(id)).matchAll(/NOVA-TS-HB (\d+)/g)].at(-1)?.[1] ?? 0)
  const heartbeatPast = (id: string, n: number) =>
    until(
      `the heartbeat of ${id} past ${n}`,
      async () => ((await heartbeat(id)) > n ? true : undefined),
      180_000,
    )
  /** The hosts of the nodes a consumer holds allocations on. */
  const allocationHosts = async (consumer: string): Promise<string[]> => {
    const nodes = await createComputeNodesRepository(cloud.mainDb).list()
    const { allocations } = await new PlacementClient(cloud.placement!.transport).allocationsOf(consumer)
    return Object.keys(allocations).map((rp) => nodes.find((n) => n.uuid === rp)?.host ?? rp)
  }

  before(async () => {
    cloud = await startMoveCloud({ computes: [], admin: true })
    const files = await testGuestFiles()
    const images = cloud.images('ADMIN')
    imageId = (await uploadTestGuest(images, files, { name: 'test-guest-hb', cmdlineExtra: 'novats.hb=1' }))
      .ami
    for (const host of HOSTS) {
      const driver = new QemuDriver({
        instancesPath: instancesOf(host),
        nodename: host,
        virtType: 'auto',
        fetchImage: (id, file) => images.downloadTo(id, file),
      })
      const _capable: LiveMigrationCapable = driver
      void _capable
      drivers.set(host, driver)
      killGuestsOnExit(instancesOf(host))
      const compute = cloud.makeCompute(host, { driver: driver as unknown as FakeDriver })
      cloud.computes.set(host, compute)
      await compute.start()
    }
    const flavor = await admin('POST', '/flavors', {
      flavor: { name: 'qemu.lm', id: 'qlm', ram: 128, vcpus: 1, disk: 1 },
    })
    assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
  })
  after(async () => {
    for (const driver of drivers.values())
      for (const uuid of await driver.listInstanceUuids()) await driver.destroy({ uuid, name: uuid })
    await cloud.close()
    // A failed move can leave a QEMU waiting for its guest: it would keep this test process alive.
    for (const host of HOSTS) killGuestsUnder(instancesOf(host))
  })

  /** Live-migrates the server to `dest` through the API and checks where and how it arrived. */
  const moveTo = async (id: string, dest: string, blockMigration: boolean): Promise<void> => {
    const boots = (output: string) => output.split(`${TEST_GUEST_MARKER} uuid=${id}`).length - 1
    const source = await hostOf(id)
    const pid = drivers.get(source)!.pidOf(id)!
    const before = await heartbeat(id)
    const bootsBefore = boots(await consoleOf(id))
    const started = Date.now()
    const r = await admin('POST', `/servers/${id}/action`, {
      'os-migrateLive': { host: dest, block_migration: 'auto' },
    })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const moved = await until(
      `${id} ACTIVE on ${dest}`,
      async () => {
        const s = await serverOf(id)
        return s['OS-EXT-STS:task_state'] === null && s['OS-EXT-SRV-ATTR:host'] === dest ? s : undefined
      },
      180_000,
    )
    console.log(
      `os-migrateLive ${source} → ${dest} (${blockMigration ? 'block' : 'shared'}): ${Date.now() - started} ms`,
    )
    assert.equal(moved.status, 'ACTIVE')
    assert.equal(moved['OS-EXT-STS:power_state'], 1)
    assert.equal(moved['OS-EXT-SRV-ATTR:hypervisor_hostname'], dest)
    // The same guest goes on there: its heartbeat counts on from where it was (a reboot would start at 1).
    await heartbeatPast(id, before + 1)
    // No new boot line: a block migration starts a new console log there; a shared path keeps the log it had.
    assert.equal(boots(await consoleOf(id)), blockMigration ? 0 : bootsBefore, 'no reboot')
    assert.ok(!existsSync(`/proc/${pid}/cmdline`), 'the source QEMU is gone')
    assert.ok(!(await drivers.get(source)!.listInstanceUuids()).includes(id))
    assert.deepEqual(await drivers.get(dest)!.listInstanceUuids(), [id])
    assert.equal(existsSync(path.join(instancesOf(source), id)), !blockMigration, 'the source files')
    assert.deepEqual(await allocationHosts(id), [dest], 'placement: the destination only')
    const migrations = (await admin('GET', `/os-migrations?instance_uuid=${id}`, undefined, '2.59')).body
      .migrations as Obj[]
    const last = migrations.sort((a, b) => a.id - b.id).at(-1)!
    assert.equal(last.migration_type, 'live-migration')
    assert.equal(last.status, 'completed')
    assert.deepEqual([last.source_compute, last.dest_compute], [source, dest])
    assert.deepEqual(await allocationHosts(last.uuid), [], 'the migration holds nothing any more')
  }

  it('moves over a shared instances path and by block migration: ACTIVE there, heartbeat on without a reboot, source QEMU gone, allocations there, migrations completed', async () => {
    const created = await cloud.call('POST', '/servers', {
      server: { name: 'lm-real', flavorRef: 'qlm', imageRef: imageId, networks: 'none' },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    const id = created.body.server.id as string
    await cloud.status(id, 'ACTIVE')
    await heartbeatPast(id, 1)
    const first = await hostOf(id)
    if (first === 'qemu-b') {
      // The shared move's source QEMU itself arrived by (block) migration.
      await moveTo(id, 'qemu-a1', true)
      await moveTo(id, 'qemu-a2', false)
    } else {
      // There and back over the shared path: the second move's source QEMU itself arrived by migration.
      const other = first === 'qemu-a1' ? 'qemu-a2' : 'qemu-a1'
      await moveTo(id, other, false)
      await moveTo(id, first, false)
      await moveTo(id, 'qemu-b', true)
    }
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    await until('the server gone', async () =>
      (await cloud.call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
    )
    for (const host of HOSTS) assert.deepEqual(await drivers.get(host)!.listInstanceUuids(), [])
  })
})
