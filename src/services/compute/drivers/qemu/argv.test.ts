import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { chooseAccelerator } from './accel.js'
import { ideSlot, localDiskArgs, nicDevice, VIF_MODEL_DEVICES } from './argv-devices.js'
import { buildQemuArgv, defaultCdromBus, guestPaths, shellQuote, type QemuLaunchSpec } from './argv.js'

const UUID = '6f1c2a4e-0d3b-4b7e-9b3a-1f2e3d4c5b6a'
const paths = guestPaths('/var/lib/nova/instances/', UUID)
const D = `/var/lib/nova/instances/${UUID}`

describe('the QEMU argv builder', () => {
  it('builds a kernel-boot TCG guest (snapshot)', () => {
    const argv = buildQemuArgv({
      uuid: UUID,
      name: 'instance-0000002a',
      vcpus: 2,
      memoryMb: 256,
      accel: 'tcg',
      paths,
      kernel: { kernel: '/k/vmlinuz', initrd: '/k/initrd', cmdline: 'console=ttyS0 panic=-1 quiet' },
    })
    assert.deepEqual(argv, [
      '-name',
      'guest=instance-0000002a,debug-threads=on',
      '-uuid',
      UUID,
      '-machine',
      'pc,accel=tcg',
      '-m',
      '256',
      '-smp',
      '2',
      '-smbios',
      `type=1,manufacturer=OpenStack Foundation,product=OpenStack Nova,serial=${UUID},uuid=${UUID},family=Virtual Machine`,
      '-nodefaults',
      '-no-user-config',
      '-no-shutdown',
      '-display',
      'none',
      '-pidfile',
      `${D}/qemu.pid`,
      '-qmp',
      `unix:${D}/qmp.sock,server=on,wait=off`,
      '-chardev',
      `socket,id=serial0,path=${D}/serial.sock,server=on,wait=off,logfile=${D}/console.log,logappend=on`,
      '-serial',
      'chardev:serial0',
      '-device',
      'VGA',
      '-vnc',
      `unix:${D}/vnc.sock`,
      '-blockdev',
      `driver=file,filename=${D}/disk,node-name=disk0-file`,
      '-blockdev',
      'driver=qcow2,file=disk0-file,node-name=disk0',
      '-device',
      'virtio-blk-pci,drive=disk0,bootindex=1,id=disk0-dev',
      '-kernel',
      '/k/vmlinuz',
      '-initrd',
      '/k/initrd',
      '-append',
      'console=ttyS0 panic=-1 quiet',
    ])
  })

  it('builds a disk-boot KVM guest on q35 with a SCSI disk, resuming from a saved state (snapshot)', () => {
    const argv = buildQemuArgv({
      uuid: UUID,
      name: 'instance-1',
      vcpus: 1,
      memoryMb: 128,
      accel: 'kvm',
      paths: guestPaths('/srv/a,b', UUID),
      machineType: 'q35',
      diskBus: 'scsi',
      incomingStateFile: "/srv/it's/state",
    })
    const at = (flag: string) => argv[argv.indexOf(flag) + 1]
    assert.equal(at('-machine'), 'q35,accel=kvm')
    assert.equal(at('-cpu'), 'host')
    assert.equal(at('-m'), '128')
    assert.equal(at('-qmp'), `unix:/srv/a,,b/${UUID}/qmp.sock,server=on,wait=off`)
    assert.ok(!argv.includes('-kernel'))
    assert.deepEqual(argv.slice(argv.indexOf('virtio-scsi-pci,id=scsi0') - 1, argv.indexOf('-incoming')), [
      '-device',
      'virtio-scsi-pci,id=scsi0',
      '-device',
      'scsi-hd,drive=disk0,bus=scsi0.0,bootindex=1,id=disk0-dev',
    ])
    assert.equal(at('-incoming'), `exec:cat '/srv/it'\\''s/state'`)
    assert.equal(shellQuote('a b'), `'a b'`)
  })

  it('attaches the config drive as a read-only cdrom on the bus of hw_cdrom_bus (snapshot)', () => {
    const base = { uuid: UUID, name: 'i', vcpus: 1, memoryMb: 128, accel: 'tcg', paths } as const
    const cdrom = (argv: string[]) =>
      argv.slice(argv.indexOf('driver=qcow2,file=disk0-file,node-name=disk0') + 1)
    const blockdevs = [
      '-blockdev',
      `driver=file,filename=${D}/disk.config,node-name=config-file,read-only=on`,
      '-blockdev',
      'driver=raw,file=config-file,node-name=config,read-only=on',
    ]
    const virtioDisk = ['-device', 'virtio-blk-pci,drive=disk0,bootindex=1,id=disk0-dev']
    // pc: IDE, second channel, slave (Nova's hdd).
    assert.deepEqual(cdrom(buildQemuArgv({ ...base, configDrive: { bus: 'ide' } })), [
      ...virtioDisk,
      ...blockdevs,
      '-device',
      'ide-cd,drive=config,id=config-dev,bus=ide.1,unit=1',
    ])
    // q35 with a virtio disk: the cdrom on virtio-scsi (the test guest's kernel has no AHCI driver).
    assert.deepEqual(cdrom(buildQemuArgv({ ...base, machineType: 'q35', configDrive: { bus: 'scsi' } })), [
      ...virtioDisk,
      ...blockdevs,
      '-device',
      'virtio-scsi-pci,id=scsi0',
      '-device',
      'scsi-cd,drive=config,id=config-dev,bus=scsi0.0',
    ])
    // A SCSI root disk: the cdrom shares its controller.
    const shared = cdrom(buildQemuArgv({ ...base, diskBus: 'scsi', configDrive: { bus: 'scsi' } }))
    assert.equal(shared.filter((a) => a === 'virtio-scsi-pci,id=scsi0').length, 1)
    assert.deepEqual(shared.slice(-2), ['-device', 'scsi-cd,drive=config,id=config-dev,bus=scsi0.0'])
    // SATA: q35's own AHCI, or an ich9-ahci added to pc.
    assert.deepEqual(
      cdrom(buildQemuArgv({ ...base, machineType: 'pc-q35-7.2', configDrive: { bus: 'sata' } })).slice(-2),
      ['-device', 'ide-cd,drive=config,id=config-dev,bus=ide.1'],
    )
    assert.deepEqual(cdrom(buildQemuArgv({ ...base, configDrive: { bus: 'sata' } })).slice(-4), [
      '-device',
      'ich9-ahci,id=sata0',
      '-device',
      'ide-cd,drive=config,id=config-dev,bus=sata0.0',
    ])
    assert.deepEqual(cdrom(buildQemuArgv(base)), virtioDisk, 'no config drive, no cdrom')
    assert.equal(defaultCdromBus(undefined), 'ide')
    assert.equal(defaultCdromBus('q35'), 'sata')
  })

  it('puts every guest file under instances_path/<uuid>/', () => {
    assert.deepEqual(Object.values(paths).sort(), [
      D,
      `${D}/console.log`,
      `${D}/disk`,
      `${D}/disk.config`,
      `${D}/disk.eph0`,
      `${D}/disk.swap`,
      `${D}/nvram.fd`,
      `${D}/qemu.pid`,
      `${D}/qmp.sock`,
      `${D}/serial.sock`,
      `${D}/vnc.sock`,
    ])
  })
})

describe('the QEMU argv of local disks, UEFI and NICs', () => {
  const base = { uuid: UUID, name: 'i', vcpus: 1, memoryMb: 128, accel: 'tcg', paths } as const
  const after = (argv: string[], value: string) => argv.slice(argv.indexOf(value) + 1)
  const localDisk = (node: string, file: string, device: string) => [
    '-blockdev',
    `driver=file,filename=${D}/${file},node-name=${node}-file`,
    '-blockdev',
    `driver=qcow2,file=${node}-file,node-name=${node}`,
    '-device',
    device,
  ]

  it('attaches the ephemeral and swap disks after the root disk on virtio: vdb and vdc (snapshot)', () => {
    const argv = buildQemuArgv({ ...base, localDisks: { ephemeral: true, swap: true } })
    assert.deepEqual(after(argv, 'virtio-blk-pci,drive=disk0,bootindex=1,id=disk0-dev'), [
      ...localDisk('eph0', 'disk.eph0', 'virtio-blk-pci,drive=eph0,id=eph0-dev'),
      ...localDisk('swap0', 'disk.swap', 'virtio-blk-pci,drive=swap0,id=swap0-dev'),
    ])
    const swapOnly = buildQemuArgv({ ...base, localDisks: { swap: true } })
    assert.ok(!swapOnly.some((a) => a.includes('eph0')))
    assert.deepEqual(after(swapOnly, 'virtio-blk-pci,drive=disk0,bootindex=1,id=disk0-dev'), [
      ...localDisk('swap0', 'disk.swap', 'virtio-blk-pci,drive=swap0,id=swap0-dev'),
    ])
    assert.ok(!buildQemuArgv(base).some((a) => a.includes('eph0') || a.includes('swap0')), 'none by default')
  })

  it('puts the local disks on the root disk bus: IDE slots around the config drive, the SCSI controller', () => {
    const ide = buildQemuArgv({
      ...base,
      diskBus: 'ide',
      localDisks: { ephemeral: true, swap: true },
      configDrive: { bus: 'ide' },
    })
    const devices = ide.filter((a, i) => ide[i - 1] === '-device')
    assert.deepEqual(devices, [
      'VGA',
      'ide-hd,drive=disk0,bus=ide.0,bootindex=1,id=disk0-dev',
      'ide-hd,drive=eph0,bus=ide.0,unit=1,id=eph0-dev',
      'ide-hd,drive=swap0,bus=ide.1,unit=0,id=swap0-dev',
      'ide-cd,drive=config,id=config-dev,bus=ide.1,unit=1',
    ])
    const q35 = buildQemuArgv({
      ...base,
      machineType: 'q35',
      diskBus: 'ide',
      localDisks: { ephemeral: true, swap: true },
    })
    assert.ok(q35.includes('ide-hd,drive=eph0,bus=ide.2,id=eph0-dev'))
    assert.ok(q35.includes('ide-hd,drive=swap0,bus=ide.3,id=swap0-dev'))
    assert.throws(() => ideSlot(3, 'pc'), /no IDE slot for disk 4/)
    // A rescued guest: the rescue disk first, its own disk second, then the local disks.
    const rescued = { ...base, diskBus: 'ide', localDisks: { ephemeral: true }, rescueDisk: '/r' }
    assert.ok(
      localDiskArgs(rescued as QemuLaunchSpec, 1).includes('ide-hd,drive=eph0,bus=ide.1,unit=0,id=eph0-dev'),
    )
    assert.equal(ideSlot(4, 'pc-q35-7.2'), 'bus=ide.5')
    const scsi = buildQemuArgv({ ...base, diskBus: 'scsi', localDisks: { ephemeral: true, swap: true } })
    assert.equal(scsi.filter((a) => a === 'virtio-scsi-pci,id=scsi0').length, 1)
    assert.deepEqual(scsi.slice(-2), ['-device', 'scsi-hd,drive=swap0,bus=scsi0.0,id=swap0-dev'])
    assert.ok(scsi.includes('scsi-hd,drive=eph0,bus=scsi0.0,id=eph0-dev'))
  })

  it('boots UEFI from the firmware code (read-only) and the guest own variable store as pflash (snapshot)', () => {
    const argv = buildQemuArgv({
      ...base,
      machineType: 'q35',
      uefi: { code: '/usr/share/OVMF/OVMF_CODE_4M.fd' },
    })
    assert.deepEqual(argv.slice(argv.indexOf('-drive'), argv.indexOf('-drive') + 4), [
      '-drive',
      'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
      '-drive',
      `if=pflash,format=raw,unit=1,file=${D}/nvram.fd`,
    ])
    const commas = buildQemuArgv({ ...base, paths: guestPaths('/srv/a,b', UUID), uefi: { code: '/fw,1' } })
    assert.ok(commas.includes('if=pflash,format=raw,unit=0,readonly=on,file=/fw,,1'))
    assert.ok(commas.includes(`if=pflash,format=raw,unit=1,file=/srv/a,,b/${UUID}/nvram.fd`))
    assert.ok(!buildQemuArgv(base).includes('-drive'), 'BIOS (SeaBIOS) by default')
  })

  it('adds one NIC per VIF on its tap with the model of hw_vif_model, none without VIFs (snapshot)', () => {
    const vif = { id: 'p1', mac: 'fa:16:3e:00:00:01', tap: 'tapp1' }
    const argv = buildQemuArgv({
      ...base,
      nics: [
        { ...vif, mtu: 1450 },
        { id: 'p2', mac: 'fa:16:3e:00:00:02', tap: 'tapp2', model: 'e1000', mtu: 1450 },
      ],
    })
    assert.deepEqual(argv.slice(argv.indexOf('-netdev')), [
      '-netdev',
      'tap,id=hostnet0,ifname=tapp1,script=no,downscript=no',
      '-device',
      'virtio-net-pci,netdev=hostnet0,id=net0,mac=fa:16:3e:00:00:01,host_mtu=1450',
      '-netdev',
      'tap,id=hostnet1,ifname=tapp2,script=no,downscript=no',
      '-device',
      'e1000,netdev=hostnet1,id=net1,mac=fa:16:3e:00:00:02',
    ])
    for (const [model, device] of Object.entries(VIF_MODEL_DEVICES)) {
      const one = buildQemuArgv({ ...base, nics: [{ ...vif, model }] })
      assert.equal(one[one.indexOf('-netdev') + 3], `${device},netdev=hostnet0,id=net0,mac=fa:16:3e:00:00:01`)
    }
    assert.deepEqual(
      ['virtio', 'e1000', 'rtl8139', 'ne2k_pci', 'pcnet'].map((m) => nicDevice(m)),
      ['virtio-net-pci', 'e1000', 'rtl8139', 'ne2k_pci', 'pcnet'],
    )
    assert.throws(
      () => buildQemuArgv({ ...base, nics: [{ ...vif, model: 'spapr-vlan' }] }),
      /hw_vif_model spapr-vlan/,
    )
    assert.ok(!buildQemuArgv(base).includes('-netdev'), 'no VIF, no NIC')
    assert.ok(!buildQemuArgv({ ...base, nics: [] }).includes('-netdev'))
  })
})

describe('the accelerator choice ([libvirt] virt_type)', () => {
  const vmx = 'processor\t: 0\nflags\t\t: fpu vme de pse vmx sse\n'
  const none = 'processor\t: 0\nflags\t\t: fpu vme de pse hypervisor sse\n'

  it('honours qemu and kvm as given', () => {
    assert.equal(chooseAccelerator('qemu', { cpuinfo: vmx, kvmDeviceWritable: true, kvmIsPvm: false }), 'tcg')
    assert.equal(chooseAccelerator('kvm', { cpuinfo: none, kvmDeviceWritable: false, kvmIsPvm: true }), 'kvm')
    assert.throws(() => chooseAccelerator('lxc', { cpuinfo: vmx, kvmDeviceWritable: true, kvmIsPvm: false }))
  })

  it('auto: KVM only with vmx/svm, a writable /dev/kvm and no PVM layer; TCG otherwise', () => {
    const auto = (cpuinfo: string, kvmDeviceWritable: boolean, kvmIsPvm: boolean) =>
      chooseAccelerator('auto', { cpuinfo, kvmDeviceWritable, kvmIsPvm })
    assert.equal(auto(vmx, true, false), 'kvm')
    assert.equal(auto(vmx.replace('vmx', 'svm'), true, false), 'kvm')
    assert.equal(auto(none, true, false), 'tcg', 'no vmx/svm (the PVM host of the lab notes)')
    assert.equal(auto(vmx, true, true), 'tcg', '/dev/kvm is kvm_pvm')
    assert.equal(auto(vmx, false, false), 'tcg', '/dev/kvm missing or not writable')
  })
})
