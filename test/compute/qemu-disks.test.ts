import { strict as assert } from 'node:assert'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ImageMeta, InstanceSpec } from '../../src/services/compute/driver/index.js'
import { OVMF_CODE, OVMF_VARS } from '../../src/services/compute/drivers/qemu/guest-devices.js'
import { qcow2BackingFile } from '../../src/services/compute/drivers/qemu/image-cache-manager.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import {
  killGuestsOnExit,
  TEST_GUEST_MARKER,
  testGuestDiskMeta,
  testGuestFetcher,
  testGuestFiles,
  testGuestImageMeta,
} from '../support/qemu-guest.js'
import { testInstance } from './driver-conformance.js'

// Real guests under TCG booting the test guest's whole bootable disk (`nova-manage image build-test`'s
// disk.qcow2: MBR + FAT32 + syslinux) as a plain qcow2 image, under SeaBIOS and under OVMF (UEFI).

const GUEST_TIMEOUT_MS = 300_000

describe('the QEMU driver: local disks, the bootable disk image, UEFI', { timeout: GUEST_TIMEOUT_MS }, () => {
  let dir: string
  let instancesPath: string
  let driver: QemuDriver
  const spawned: InstanceSpec[] = []

  before(async () => {
    const files = await testGuestFiles()
    assert.ok(
      files.bootDisk !== undefined && existsSync(files.bootDisk),
      'the test guest has its bootable disk',
    )
    dir = await mkdtemp(path.join(tmpdir(), 'nova-qemu-disks-'))
    instancesPath = path.join(dir, 'instances')
    killGuestsOnExit(instancesPath)
    driver = new QemuDriver({ instancesPath, virtType: 'auto', fetchImage: testGuestFetcher(files) })
    await driver.initHost('qemu-disks')
  })
  after(async () => {
    for (const guest of spawned) await driver.destroy(guest).catch(() => undefined)
    await driver.cleanupHost()
    await rm(dir, { recursive: true, force: true })
  })

  const boot = async (instance: InstanceSpec, image: ImageMeta): Promise<string> => {
    spawned.push(instance)
    await driver.spawn({
      instance,
      image,
      allocations: {},
      networkInfo: [],
      blockDeviceInfo: { blockDevices: [] },
    })
    const marker = new RegExp(`${TEST_GUEST_MARKER} uuid=${instance.uuid} source=smbios`)
    const deadline = Date.now() + 180_000
    for (;;) {
      const output = await driver.getConsoleOutput(instance)
      if (marker.test(output)) return output
      if (Date.now() > deadline) assert.fail(`the console never showed ${marker}:\n${output}`)
      await sleep(250)
    }
  }

  /** The guest's block devices as it printed them (name → KiB, from its /proc/partitions). */
  const blockDevices = (output: string): Record<string, number> => {
    const line = /NOVA-TS-GUEST: block devices (.*)/.exec(output)?.[1] ?? ''
    return Object.fromEntries(
      [...line.matchAll(/(\w+)=(\d+)K/g)].map((m) => [m[1]!, Number.parseInt(m[2]!, 10)] as const),
    )
  }

  it('boots the bootable qcow2 disk (no kernel_id) with the flavor ephemeral and swap disks as vdb and vdc', async () => {
    const instance = testInstance({
      flavor: { vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 1, swapMb: 64 },
    })
    const output = await boot(instance, testGuestDiskMeta({ os_type: 'linux' }))
    assert.doesNotMatch(output, /BdsDxe|booted by UEFI/, 'BIOS (SeaBIOS → syslinux), not UEFI')
    const devices = blockDevices(output)
    assert.equal(devices.vda, 1024 * 1024, 'the root disk grown to root_gb')
    assert.ok(devices.vda1 !== undefined, 'the boot partition')
    assert.equal(devices.vdb, 1024 * 1024, 'ephemeral_gb = 1')
    assert.equal(devices.vdc, 64 * 1024, 'swap = 64 MiB')
    assert.equal(devices.vdd, undefined)
    assert.match(
      output,
      /NOVA-TS-GUEST: ephemeral0 on \/dev\/vdb ext4/,
      'labelled ephemeral0, ext4 for os_type linux',
    )
    assert.match(output, /NOVA-TS-GUEST: swap on \/dev\/vdc 65532K/, 'the guest turned the swap disk on')

    // Nova's layout: overlays in the guest's directory on formatted bases in the image cache.
    const paths = driver.pathsOf(instance.uuid)
    const base = path.join(instancesPath, '_base')
    const ephemeralBase = await qcow2BackingFile(paths.ephemeral)
    assert.match(path.basename(ephemeralBase ?? ''), /^ephemeral_1_[0-9a-f]{7}$/)
    assert.equal(path.dirname(ephemeralBase!), base)
    assert.equal(await qcow2BackingFile(paths.swap), path.join(base, 'swap_64'))
    assert.equal((await stat(path.join(base, 'swap_64'))).size, 64 * 1024 ** 2)

    await driver.destroy(instance)
    assert.ok(!existsSync(paths.dir), 'the overlays go with the guest')
    assert.ok((await readdir(base)).includes('swap_64'), 'the bases stay in the cache')
  })

  it('boots the same disk under UEFI (hw_firmware_type=uefi, OVMF, q35) with its own variable store and a vfat ephemeral disk', async () => {
    // OVMF with this kernel needs more than 128 MiB (at 128 syslinux.efi cannot place the kernel).
    const instance = testInstance({
      flavor: { vcpus: 1, memoryMb: 256, rootGb: 1, ephemeralGb: 1, swapMb: 0 },
    })
    const output = await boot(
      instance,
      testGuestDiskMeta({ hw_firmware_type: 'uefi', hw_machine_type: 'q35' }),
    )
    assert.match(output, /BdsDxe: starting Boot\d+/, "OVMF's boot manager started the disk's EFI loader")
    assert.match(output, /NOVA-TS-GUEST: booted by UEFI firmware/)
    const paths = driver.pathsOf(instance.uuid)
    assert.equal((await stat(paths.nvram)).size, (await stat(OVMF_VARS)).size)
    const pid = driver.pidOf(instance.uuid)
    assert.ok(pid !== undefined)
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    assert.ok(argv.includes(`if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`))
    assert.ok(argv.includes(`if=pflash,format=raw,unit=1,file=${paths.nvram}`))
    assert.ok(argv.includes('q35,accel=tcg'))
    // No os_type: Nova's default filesystem, vfat; no swap disk without swap in the flavor.
    assert.match(output, /NOVA-TS-GUEST: ephemeral0 on \/dev\/vdb vfat/)
    assert.equal(blockDevices(output).vdc, undefined)
    assert.doesNotMatch(output, /NOVA-TS-GUEST: swap on/)
  })

  it('boots an AKI/ARI image under UEFI too: OVMF loads the kernel and initramfs (-kernel), pc machine', async () => {
    const meta = testGuestImageMeta(await testGuestFiles())
    const instance = testInstance({
      flavor: { vcpus: 1, memoryMb: 256, rootGb: 1, ephemeralGb: 0, swapMb: 64 },
    })
    const output = await boot(instance, {
      ...meta,
      properties: { ...meta.properties, hw_firmware_type: 'uefi' },
    })
    assert.match(output, /NOVA-TS-GUEST: booted by UEFI firmware/)
    assert.match(
      output,
      /NOVA-TS-GUEST: swap on \/dev\/vdb 65532K/,
      'without an ephemeral disk the swap disk is vdb',
    )
    const argv = readFileSync(`/proc/${driver.pidOf(instance.uuid)!}/cmdline`, 'utf8').split('\0')
    assert.ok(argv.includes('-kernel') && argv.includes('pc,accel=tcg'))
    assert.ok(argv.includes(`if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`))
  })
})
