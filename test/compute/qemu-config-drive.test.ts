import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { SpawnFailed, type InstanceSpec, type SpawnRequest } from '../../src/services/compute/driver/index.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import {
  killGuestsOnExit,
  TEST_GUEST_MARKER,
  testGuestFetcher,
  testGuestFiles,
  testGuestImageMeta,
} from '../support/qemu-guest.js'
import { testInstance } from './driver-conformance.js'

// The config drive on real guests (TCG): the ISO the QEMU driver writes, the cdrom it attaches on each bus, and
// the test guest reading its uuid and hostname from it. Never skipped: a host without QEMU or genisoimage fails.

const run = promisify(execFile)
const TIMEOUT_MS = 300_000

describe(
  'the QEMU driver’s config drive (disk.config, a cdrom the guest reads)',
  { timeout: TIMEOUT_MS },
  () => {
    let dir: string
    let instancesPath: string
    let driver: QemuDriver
    const files = testGuestFiles()
    const spawned: InstanceSpec[] = []

    const newDriver = async () =>
      new QemuDriver({ instancesPath, virtType: 'auto', fetchImage: testGuestFetcher(await files) })
    const spawn = async (
      instance: InstanceSpec,
      properties: Record<string, string> = {},
      d: QemuDriver = driver,
    ): Promise<void> => {
      const image = testGuestImageMeta(await files)
      const request: SpawnRequest = {
        instance,
        image: { ...image, properties: { ...image.properties, ...properties } },
        allocations: {},
        networkInfo: [],
        blockDeviceInfo: { blockDevices: [] },
        adminPassword: 'sekrit',
      }
      spawned.push(instance)
      await d.spawn(request)
    }
    const waitConsole = async (d: QemuDriver, guest: InstanceSpec, pattern: RegExp): Promise<string> => {
      const deadline = Date.now() + 120_000
      for (;;) {
        const output = await d.getConsoleOutput(guest)
        if (pattern.test(output)) return output
        if (Date.now() > deadline) assert.fail(`the console never showed ${pattern}:\n${output}`)
        await sleep(200)
      }
    }
    const cmdline = (d: QemuDriver, uuid: string) =>
      readFileSync(`/proc/${d.pidOf(uuid)}/cmdline`, 'utf8').split('\0')
    const iso = async (file: string, ...args: string[]) =>
      (await run('isoinfo', [...args, '-i', file])).stdout

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'nova-cfgdrive-'))
      instancesPath = path.join(dir, 'instances')
      killGuestsOnExit(instancesPath)
      driver = await newDriver()
      await driver.initHost('qemu-cd')
    })
    after(async () => {
      for (const guest of spawned) await driver.destroy(guest).catch(() => undefined)
      await driver.cleanupHost()
      await rm(dir, { recursive: true, force: true })
    })

    it('writes disk.config (ISO9660 config-2 with Nova’s tree), boots with it on IDE, keeps it across a restart of the driver, removes it on destroy', async () => {
      const guest = testInstance({
        configDrive: true,
        hostname: 'cd-guest',
        userData: Buffer.from('#cloud-config\n').toString('base64'),
        metadata: { role: 'test' },
        keyPair: { name: 'k1', publicKey: 'ssh-ed25519 AAAAC3 k1' },
        internalId: 42,
        launchIndex: 0,
      })
      await spawn(guest)
      const disk = driver.pathsOf(guest.uuid).configDrive
      assert.ok(existsSync(disk))
      assert.match(await iso(disk, '-d'), /Volume id: config-2/)
      const listing = (await iso(disk, '-f', '-R')).split('\n')
      for (const file of [
        '/openstack/latest/meta_data.json',
        '/openstack/latest/user_data',
        '/openstack/latest/network_data.json',
        '/openstack/latest/vendor_data.json',
        '/openstack/latest/vendor_data2.json',
        '/openstack/2012-08-10/meta_data.json',
        '/openstack/2025-04-04/meta_data.json',
        '/ec2/latest/meta-data.json',
        '/ec2/latest/user-data',
        '/ec2/2009-04-04/meta-data.json',
      ])
        assert.ok(listing.includes(file), `${file} in ${listing.join(' ')}`)
      assert.ok(!listing.some((f) => f.startsWith('/ec2/2008-09-01')), 'config_drive_skip_versions')
      const md = JSON.parse(await iso(disk, '-R', '-x', '/openstack/latest/meta_data.json'))
      assert.equal(md.uuid, guest.uuid)
      assert.equal(md.hostname, 'cd-guest.novalocal')
      assert.equal(md.admin_pass, 'sekrit')
      assert.deepEqual(md.meta, { role: 'test' })
      assert.deepEqual(md.public_keys, { k1: 'ssh-ed25519 AAAAC3 k1' })
      assert.equal(Buffer.from(md.random_seed, 'base64').length, 512)
      assert.equal(await iso(disk, '-R', '-x', '/openstack/latest/user_data'), '#cloud-config\n')
      const ec2 = JSON.parse(await iso(disk, '-R', '-x', '/ec2/latest/meta-data.json'))
      assert.equal(ec2['instance-id'], 'i-0000002a')

      assert.ok(cmdline(driver, guest.uuid).includes('ide-cd,drive=config,id=config-dev,bus=ide.1,unit=1'))
      const record = JSON.parse(
        await readFile(path.join(driver.pathsOf(guest.uuid).dir, 'guest.json'), 'utf8'),
      )
      assert.deepEqual(record.configDrive, { bus: 'ide' })
      const ready = new RegExp(
        `${TEST_GUEST_MARKER} uuid=${guest.uuid} source=config-drive hostname=cd-guest\\b`,
      )
      await waitConsole(driver, guest, ready)

      // A new driver (nova-compute restarted) adopts the guest; a power cycle brings the cdrom back.
      await driver.cleanupHost()
      driver = await newDriver()
      await driver.initHost('qemu-cd')
      await driver.powerOff(guest)
      await driver.powerOn(guest)
      assert.ok(cmdline(driver, guest.uuid).includes('ide-cd,drive=config,id=config-dev,bus=ide.1,unit=1'))
      await waitConsole(driver, guest, new RegExp(`(${ready.source}[\\s\\S]*){2}`))

      await driver.destroy(guest)
      assert.ok(!existsSync(disk))
      assert.ok(!existsSync(path.dirname(disk)))
    })

    it('q35 with hw_cdrom_bus=scsi: the cdrom on virtio-scsi, read by the guest; without a config drive the uuid is SMBIOS’s', async () => {
      const q35 = testInstance({ configDrive: true, hostname: 'q35-guest' })
      const plain = testInstance({ hostname: 'plain' })
      await Promise.all([spawn(q35, { hw_machine_type: 'q35', hw_cdrom_bus: 'scsi' }), spawn(plain)])
      const argv = cmdline(driver, q35.uuid)
      assert.ok(argv.includes('virtio-scsi-pci,id=scsi0'))
      assert.ok(argv.includes('scsi-cd,drive=config,id=config-dev,bus=scsi0.0'))
      await waitConsole(
        driver,
        q35,
        new RegExp(`${TEST_GUEST_MARKER} uuid=${q35.uuid} source=config-drive hostname=q35-guest\\b`),
      )
      assert.ok(!existsSync(driver.pathsOf(plain.uuid).configDrive))
      assert.ok(!cmdline(driver, plain.uuid).some((a) => a.includes('config-file')))
      await waitConsole(driver, plain, new RegExp(`${TEST_GUEST_MARKER} uuid=${plain.uuid} source=smbios `))
      await Promise.all([driver.destroy(q35), driver.destroy(plain)])
    })

    it('refuses hw_cdrom_bus=virtio (no removable media on virtio-blk) and leaves nothing behind', async () => {
      const guest = testInstance({ configDrive: true })
      await assert.rejects(spawn(guest, { hw_cdrom_bus: 'virtio' }), (error: Error) => {
        assert.ok(error instanceof SpawnFailed)
        assert.match(error.message, /hw_cdrom_bus virtio/)
        return true
      })
      assert.ok(!existsSync(driver.pathsOf(guest.uuid).dir))
      assert.deepEqual(await driver.listInstanceUuids(), [])
    })
  },
)
