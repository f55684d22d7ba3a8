import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { buildQemuArgv, guestPaths, type QemuLaunchSpec } from './argv.js'
import type { GuestRecord } from './guest-record.js'
import { bootOf, RESCUE_DISK_FILE } from './rescue.js'

const UUID = '6f1c2a4e-0d3b-4b7e-9b3a-1f2e3d4c5b6a'
const paths = guestPaths('/srv/instances', UUID)
const flavor = { vcpus: 1, memoryMb: 128, rootGb: 1, ephemeralGb: 0, swapMb: 0 }
const ownKernel = { kernel: '/c/own-kernel', initrd: '/c/own-initrd', cmdline: 'console=ttyS0' }
const record: GuestRecord = { uuid: UUID, name: 'instance-1', flavor, kernel: ownKernel }

const spec = (extra: Partial<QemuLaunchSpec>): QemuLaunchSpec => ({
  uuid: UUID,
  name: 'instance-1',
  vcpus: 1,
  memoryMb: 128,
  accel: 'tcg',
  paths,
  ...extra,
})
/** The -device values of the argv. */
const devices = (argv: readonly string[]) => argv.filter((_, i) => argv[i - 1] === '-device')

describe('a rescued QEMU guest boots from its rescue disk', () => {
  it('boots from disk.rescue with the rescue kernel (or none), else from its own disk and kernel', () => {
    assert.deepEqual(bootOf(record, paths), { kernel: ownKernel })
    const rescueKernel = { kernel: '/c/rescue-kernel', cmdline: 'console=ttyS0' }
    assert.deepEqual(bootOf({ ...record, rescue: { kernel: rescueKernel } }, paths), {
      rescueDisk: `${paths.dir}/${RESCUE_DISK_FILE}`,
      kernel: rescueKernel,
    })
    assert.deepEqual(bootOf({ ...record, rescue: {} }, paths), {
      rescueDisk: `${paths.dir}/${RESCUE_DISK_FILE}`,
    })
  })

  it('the rescue disk is the first disk and boots; the own disk (node disk0) follows without a boot index', () => {
    const argv = buildQemuArgv(spec({ rescueDisk: '/srv/instances/r,1' }))
    const blockdevs = argv.filter((_, i) => argv[i - 1] === '-blockdev')
    assert.deepEqual(blockdevs, [
      'driver=file,filename=/srv/instances/r,,1,node-name=rescue0-file',
      'driver=qcow2,file=rescue0-file,node-name=rescue0',
      `driver=file,filename=${paths.disk},node-name=disk0-file`,
      'driver=qcow2,file=disk0-file,node-name=disk0',
    ])
    assert.deepEqual(devices(argv).slice(1), [
      'virtio-blk-pci,drive=rescue0,bootindex=1,id=rescue0-dev',
      'virtio-blk-pci,drive=disk0,id=disk0-dev',
    ])
  })

  it('on IDE and SCSI buses too, the own disk in the next slot', () => {
    const ide = devices(buildQemuArgv(spec({ rescueDisk: '/r', diskBus: 'ide' })))
    assert.ok(ide.includes('ide-hd,drive=rescue0,bus=ide.0,bootindex=1,id=rescue0-dev'))
    assert.ok(ide.includes('ide-hd,drive=disk0,bus=ide.0,unit=1,id=disk0-dev'))
    const q35 = devices(buildQemuArgv(spec({ rescueDisk: '/r', diskBus: 'ide', machineType: 'q35' })))
    assert.ok(q35.includes('ide-hd,drive=disk0,bus=ide.2,id=disk0-dev'))
    const scsi = devices(buildQemuArgv(spec({ rescueDisk: '/r', diskBus: 'scsi' })))
    assert.deepEqual(scsi.slice(1), [
      'virtio-scsi-pci,id=scsi0',
      'scsi-hd,drive=rescue0,bus=scsi0.0,bootindex=1,id=rescue0-dev',
      'scsi-hd,drive=disk0,bus=scsi0.0,id=disk0-dev',
    ])
  })
})
