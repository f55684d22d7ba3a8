import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createComputeNodesRepository } from '../../src/db/index.js'
import type {
  RescueCapable,
  ResizeCapable,
  SnapshotCapable,
} from '../../src/services/compute/driver/driver.js'
import type { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { until, type BuildCloud, type Obj } from '../support/build-harness.js'
import { inGuest } from '../support/guest-shell.js'
import { startMoveCloud } from '../support/move-cloud.js'
import { killGuestsOnExit, TEST_GUEST_MARKER, testGuestFiles } from '../support/qemu-guest.js'
import { uploadTestGuest } from '../../src/process/default-image.js'

// The moves of issue 7 on real guests: two nova-compute services with the QEMU driver (TCG here) on one machine,
// each with its own instances path. createImage → a server booted from the snapshot; cold migrate + confirm;
// resize + revert; rescue / unrescue; shelve → offload → unshelve. A token written into the guest's disk must
// survive each move (read back from the device inside the guest). Never skipped: a host without QEMU fails it.

const HOSTS = ['qemu-1', 'qemu-2'] as const
/** Where the token goes on the guest's root disk: 200 MiB in (the disk is 1 GiB, the image 64 MiB). */
const TOKEN_AT_MIB = 200

describe(
  'moves of real QEMU guests (snapshot, cold migrate, resize, rescue, shelve)',
  { timeout: 900_000 },
  () => {
    let cloud: BuildCloud
    let imageId: string
    let serverId: string
    const token = `QMOVES-${randomBytes(4).toString('hex')}`
    const drivers = new Map<string, QemuDriver>()
    const instancesOf = (host: string) => path.join(cloud.dir, `instances-${host}`)
    const act = (id: string, body: object, version?: string) =>
      cloud.call('POST', `/servers/${id}/action`, body, 'ADMIN', version)
    const hostOf = async (id: string): Promise<string> =>
      (await cloud.call('GET', `/servers/${id}`, undefined, 'ADMIN')).body.server['OS-EXT-SRV-ATTR:host']
    const otherHost = (host: string) => (host === HOSTS[0] ? HOSTS[1] : HOSTS[0])
    const consoleOf = async (id: string) =>
      await drivers.get(await hostOf(id))!.getConsoleOutput({ uuid: id, name: '' })
    const markers = async (id: string) =>
      (await consoleOf(id)).split(`${TEST_GUEST_MARKER} uuid=${id}`).length - 1
    /** Waits until the guest has printed its marker `count` times (its console log goes with it on a move). */
    const waitMarker = (id: string, count = 1) =>
      until(
        `${count} guest marker(s) of ${id}`,
        async () => ((await markers(id)) >= count ? true : undefined),
        180_000,
      )
    const shell = async (id: string, command: string) => {
      const host = await hostOf(id)
      return await inGuest(drivers.get(host)!.pathsOf(id).serial, () => consoleOf(id), command)
    }
    const readToken = (id: string, device = 'vda') =>
      shell(
        id,
        `dd if=/dev/${device} bs=1M skip=${TOKEN_AT_MIB} count=1 2>/dev/null | head -c 64 | tr -dc A-Za-z0-9-`,
      )
    /** Placement's allocations of a consumer: provider host → resources. */
    const allocationsOf = async (consumer: string): Promise<Record<string, Record<string, number>>> => {
      const placement = new PlacementClient(cloud.placement!.transport)
      const nodes = await createComputeNodesRepository(cloud.mainDb).list()
      const { allocations } = await placement.allocationsOf(consumer)
      return Object.fromEntries(
        Object.entries(allocations).map(([rp, a]) => [
          nodes.find((n) => n.uuid === rp)?.host ?? rp,
          a.resources,
        ]),
      )
    }
    /** The server's status (as ADMIN) once it is `want`; real guests on a shared machine take their time. */
    const status = (id: string, want: string): Promise<Obj> =>
      until(
        `${id} ${want}`,
        async () => {
          const r = await cloud.call('GET', `/servers/${id}`, undefined, 'ADMIN')
          return r.status === 200 && r.body.server.status === want ? (r.body.server as Obj) : undefined
        },
        180_000,
      )
    const migrationsOf = async (id: string): Promise<Obj[]> =>
      (await cloud.call('GET', `/os-migrations?instance_uuid=${id}`, undefined, 'ADMIN', '2.59')).body
        .migrations

    before(async () => {
      cloud = await startMoveCloud({ computes: [], admin: true })
      const files = await testGuestFiles()
      const admin = cloud.images('ADMIN')
      imageId = (await uploadTestGuest(admin, files, { name: 'test-guest' })).ami
      for (const host of HOSTS) {
        const driver = new QemuDriver({
          instancesPath: instancesOf(host),
          nodename: host,
          virtType: 'auto',
          fetchImage: (id, file) => admin.downloadTo(id, file),
        })
        // The optional interfaces of these moves, checked by the compiler.
        const _capable: SnapshotCapable & ResizeCapable & RescueCapable = driver
        void _capable
        drivers.set(host, driver)
        killGuestsOnExit(instancesOf(host))
        const compute = cloud.makeCompute(host, { driver: driver as unknown as FakeDriver, images: admin })
        cloud.computes.set(host, compute)
        await compute.start()
      }
      for (const [id, ram, disk] of [
        ['qt', 128, 1],
        ['qt2', 160, 2],
      ] as const) {
        const flavor = await cloud.call(
          'POST',
          '/flavors',
          { flavor: { name: `qemu.${id}`, id, ram, vcpus: 1, disk } },
          'ADMIN',
        )
        assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
      }
    })
    after(async () => {
      for (const driver of drivers.values())
        for (const uuid of await driver.listInstanceUuids()) await driver.destroy({ uuid, name: uuid })
      await cloud.close()
    })

    it('createImage: a new active qcow2 image that keeps kernel_id, ramdisk_id and os_command_line; a server booted from it reaches its marker with the disk as it was', async () => {
      const created = await cloud.call('POST', '/servers', {
        server: { name: 'mover', flavorRef: 'qt', imageRef: imageId, networks: 'none' },
      })
      assert.equal(created.status, 202, JSON.stringify(created.body))
      serverId = created.body.server.id as string
      await status(serverId, 'ACTIVE')
      await waitMarker(serverId)
      await shell(
        serverId,
        `echo ${token} | dd of=/dev/vda bs=1M seek=${TOKEN_AT_MIB} conv=fsync 2>/dev/null`,
      )
      assert.equal(await readToken(serverId), token)

      const started = Date.now()
      // As the server's owner: the snapshot is the caller's (private) image, which the owner boots next.
      const snap = await cloud.call(
        'POST',
        `/servers/${serverId}/action`,
        { createImage: { name: 'mover-snap' } },
        'MEMBER_A',
        '2.45',
      )
      assert.equal(snap.status, 202, JSON.stringify(snap.body))
      const snapId = snap.body.image_id as string
      const image = await until(
        'the snapshot active',
        async () => {
          const i = await cloud.images('ADMIN').show(snapId)
          return i.status === 'active' ? i : undefined
        },
        180_000,
      )
      console.log(
        `createImage → image active ${Date.now() - started} ms (running guest, ${image.size} bytes)`,
      )
      await status(serverId, 'ACTIVE')
      const base = await cloud.images('ADMIN').show(imageId)
      assert.equal(image.disk_format, 'qcow2')
      assert.equal(image.container_format, 'bare')
      for (const key of ['kernel_id', 'ramdisk_id', 'os_command_line'])
        assert.equal(image[key], base[key], key)
      assert.equal(image.instance_uuid, serverId)
      assert.equal(image.image_type, 'snapshot')
      assert.equal(image.base_image_ref, imageId)
      assert.deepEqual(await drivers.get(await hostOf(serverId))!.listInstanceUuids(), [serverId])

      const booted = await cloud.call('POST', '/servers', {
        server: { name: 'from-snap', flavorRef: 'qt', imageRef: snapId, networks: 'none' },
      })
      assert.equal(booted.status, 202, JSON.stringify(booted.body))
      const copyId = booted.body.server.id as string
      await status(copyId, 'ACTIVE')
      await waitMarker(copyId)
      assert.equal(await readToken(copyId), token, 'the snapshot holds what the guest had written')
      assert.equal((await cloud.call('DELETE', `/servers/${copyId}`)).status, 204)
      await until('the copy gone', async () =>
        (await cloud.call('GET', `/servers/${copyId}`)).status === 404 ? true : undefined,
      )
    })

    it('cold migrate + confirm: the guest runs on the other host with its disk; the source directory is gone; allocations on the destination only', async () => {
      const source = await hostOf(serverId)
      const dest = otherHost(source)
      const before = await markers(serverId)
      const started = Date.now()
      assert.equal((await act(serverId, { migrate: null })).status, 202)
      const server = await status(serverId, 'VERIFY_RESIZE')
      console.log(`migrate → VERIFY_RESIZE ${Date.now() - started} ms`)
      assert.equal(server['OS-EXT-SRV-ATTR:host'], dest)
      await waitMarker(serverId, before + 1)
      assert.equal(await readToken(serverId), token)
      assert.ok(
        existsSync(path.join(instancesOf(source), `${serverId}_resize`)),
        'the source keeps the disk until confirm',
      )
      assert.deepEqual(await drivers.get(source)!.listInstanceUuids(), [])

      assert.equal((await act(serverId, { confirmResize: null })).status, 204)
      await status(serverId, 'ACTIVE')
      await until('the migration confirmed', async () =>
        (await migrationsOf(serverId))[0]?.status === 'confirmed' ? true : undefined,
      )
      assert.ok(!existsSync(path.join(instancesOf(source), serverId)))
      assert.ok(
        !existsSync(path.join(instancesOf(source), `${serverId}_resize`)),
        'the source directory is gone',
      )
      assert.deepEqual(await drivers.get(dest)!.listInstanceUuids(), [serverId])
      assert.deepEqual(Object.keys(await allocationsOf(serverId)), [dest])
      const migration = (await migrationsOf(serverId))[0]!
      assert.deepEqual(await allocationsOf(migration.uuid as string), {})
    })

    it('resize + revert: the guest sees the bigger disk on the other host, and after the revert runs on the source again with the old flavor; the destination is cleaned', async () => {
      const source = await hostOf(serverId)
      const dest = otherHost(source)
      assert.equal(await shell(serverId, 'cat /sys/block/vda/size'), String((1 * 1024 ** 3) / 512))
      // The console log goes with the disk; a revert comes back to the log the source kept.
      const count = await markers(serverId)
      assert.equal((await act(serverId, { resize: { flavorRef: 'qt2' } })).status, 202)
      const resized = await status(serverId, 'VERIFY_RESIZE')
      assert.equal(resized['OS-EXT-SRV-ATTR:host'], dest)
      assert.equal(resized.flavor.id, 'qt2')
      await waitMarker(serverId, count + 1)
      assert.equal(
        await shell(serverId, 'cat /sys/block/vda/size'),
        String((2 * 1024 ** 3) / 512),
        'grown to 2 GiB',
      )
      assert.equal(await readToken(serverId), token)
      assert.equal((await allocationsOf(serverId))[dest]?.MEMORY_MB, 160)

      assert.equal((await act(serverId, { revertResize: null })).status, 202)
      const reverted = await status(serverId, 'ACTIVE')
      assert.equal(reverted['OS-EXT-SRV-ATTR:host'], source)
      assert.equal(reverted.flavor.id, 'qt')
      await waitMarker(serverId, count + 1)
      assert.equal(
        await shell(serverId, 'cat /sys/block/vda/size'),
        String((1 * 1024 ** 3) / 512),
        'the old disk',
      )
      assert.equal(await readToken(serverId), token)
      assert.ok(!existsSync(path.join(instancesOf(dest), serverId)), 'the destination is cleaned')
      assert.ok(!existsSync(path.join(instancesOf(source), `${serverId}_resize`)))
      assert.deepEqual(await drivers.get(dest)!.listInstanceUuids(), [])
      assert.deepEqual(await allocationsOf(serverId), { [source]: { VCPU: 1, MEMORY_MB: 128, DISK_GB: 1 } })
    })

    it('rescue boots the rescue image with the own disk as the second disk; unrescue boots the own disk again', async () => {
      const host = await hostOf(serverId)
      let count = await markers(serverId)
      const rescue = await act(serverId, { rescue: {} })
      assert.equal(rescue.status, 200, JSON.stringify(rescue.body))
      await status(serverId, 'RESCUE')
      await waitMarker(serverId, ++count)
      assert.match(await shell(serverId, 'cat /proc/partitions'), /\bvdb\b/, 'the own disk attached second')
      assert.equal(await readToken(serverId, 'vdb'), token)
      assert.notEqual(await readToken(serverId, 'vda'), token, 'booted from the rescue disk')
      assert.ok(existsSync(path.join(instancesOf(host), serverId, 'disk.rescue')))

      assert.equal((await act(serverId, { unrescue: null })).status, 202)
      await status(serverId, 'ACTIVE')
      await waitMarker(serverId, count + 1)
      assert.doesNotMatch(await shell(serverId, 'cat /proc/partitions'), /\bvdb\b/)
      assert.equal(await readToken(serverId), token)
      assert.ok(!existsSync(path.join(instancesOf(host), serverId, 'disk.rescue')))
    })

    it('a stopped server migrates without a QEMU process on either side, stays SHUTOFF through confirm, and starts on the destination', async () => {
      const source = await hostOf(serverId)
      const dest = otherHost(source)
      assert.equal((await act(serverId, { 'os-stop': null })).status, 202)
      await status(serverId, 'SHUTOFF')
      const count = await markers(serverId)
      assert.equal((await act(serverId, { migrate: null })).status, 202)
      const moved = await status(serverId, 'VERIFY_RESIZE')
      assert.equal(moved['OS-EXT-SRV-ATTR:host'], dest)
      assert.equal(moved['OS-EXT-STS:power_state'], 4)
      assert.equal(drivers.get(dest)!.pidOf(serverId), undefined, 'not started on the destination')
      assert.equal((await act(serverId, { confirmResize: null })).status, 204)
      await status(serverId, 'SHUTOFF')
      assert.equal((await act(serverId, { 'os-start': null })).status, 202)
      await status(serverId, 'ACTIVE')
      await waitMarker(serverId, count + 1)
      assert.equal(await readToken(serverId), token)
      assert.ok(!existsSync(path.join(instancesOf(source), `${serverId}_resize`)))
    })

    it('shelve offloads (the guest gone from both hosts, no allocations), unshelve boots the shelved image to the marker with the disk as it was', async () => {
      assert.equal((await act(serverId, { shelve: null })).status, 202)
      const shelved = await status(serverId, 'SHELVED_OFFLOADED')
      assert.equal(shelved['OS-EXT-SRV-ATTR:host'], null)
      for (const driver of drivers.values()) assert.deepEqual(await driver.listInstanceUuids(), [])
      assert.deepEqual(await allocationsOf(serverId), {})

      assert.equal((await act(serverId, { unshelve: null })).status, 202)
      await status(serverId, 'ACTIVE')
      await waitMarker(serverId)
      assert.equal(await readToken(serverId), token)
      assert.equal((await cloud.call('DELETE', `/servers/${serverId}`)).status, 204)
      await until('the server gone', async () =>
        (await cloud.call('GET', `/servers/${serverId}`)).status === 404 ? true : undefined,
      )
    })
  },
)
