import { firmwareArgs, ideSlot, localDiskArgs, nicArgs, type NicSpec } from './argv-devices.js'

/** Where one guest's files and sockets are (all under `state_path/instances/<uuid>/`). */
export interface GuestPaths {
  readonly dir: string
  /** The root disk: a qcow2 overlay on the cached base image. */
  readonly disk: string
  readonly qmp: string
  readonly serial: string
  readonly consoleLog: string
  readonly vnc: string
  readonly pidfile: string
  /** The config drive (an ISO9660 image labelled config-2), when the guest has one. */
  readonly configDrive: string
  /** The flavor's ephemeral disk (qcow2 overlay on a formatted base in the image cache). */
  readonly ephemeral: string
  /** The flavor's swap disk (qcow2 overlay on a mkswap'd base in the image cache). */
  readonly swap: string
  /** The UEFI variable store of a hw_firmware_type=uefi guest (its own copy of the firmware's template). */
  readonly nvram: string
}

/** The accelerator QEMU runs guests with: KVM, or TCG (software emulation, Nova's virt_type=qemu). */
export type Accelerator = 'kvm' | 'tcg'

/** Everything the QEMU command line depends on; built from the spawn request by the driver. */
export interface QemuLaunchSpec {
  readonly uuid: string
  /** The hypervisor's name of the guest (`instance-0000002a`). */
  readonly name: string
  readonly vcpus: number
  readonly memoryMb: number
  readonly accel: Accelerator
  readonly paths: GuestPaths
  /** Image property hw_machine_type (default pc). */
  readonly machineType?: string
  /** Image property hw_disk_bus: virtio (default), scsi or ide. */
  readonly diskBus?: string
  /** Kernel boot (AKI/ARI images): the cached kernel and ramdisk, and the command line (os_command_line). */
  readonly kernel?: { readonly kernel: string; readonly initrd?: string; readonly cmdline: string }
  /** Start from a state saved by suspend (`-incoming`), resuming at once. */
  readonly incomingStateFile?: string
  /**
   * Rescue: boot from this disk (node rescue0, the guest's first disk), with the guest's own disk (node disk0)
   * attached after it.
   */
  readonly rescueDisk?: string
  /** The config drive (paths.configDrive) attached read-only as a cdrom on `bus` (image property hw_cdrom_bus). */
  readonly configDrive?: { readonly bus: CdromBus }
  /** The flavor's ephemeral (paths.ephemeral) and swap (paths.swap) disks, when it has them. */
  readonly localDisks?: { readonly ephemeral?: boolean; readonly swap?: boolean }
  /** UEFI boot (hw_firmware_type=uefi): the firmware's code; the variables are paths.nvram. */
  readonly uefi?: { readonly code: string }
  /** One NIC per VIF, on its plugged tap (model: hw_vif_model); none without VIFs. */
  readonly nics?: readonly NicSpec[]
}

/** The buses a cdrom can sit on (virtio-blk has no removable media). */
export const CDROM_BUSES = ['ide', 'sata', 'scsi'] as const
export type CdromBus = (typeof CDROM_BUSES)[number]

/** Nova's libvirt default cdrom bus: IDE on the pc machine, SATA (AHCI) on q35, which has no IDE. */
export const defaultCdromBus = (machineType: string | undefined): CdromBus =>
  isQ35(machineType) ? 'sata' : 'ide'

const isQ35 = (machineType: string | undefined): boolean => /q35/.test(machineType ?? 'pc')

/** Nova's libvirt driver's default kernel command line for kernel+ramdisk images without os_command_line. */
export const DEFAULT_KERNEL_CMDLINE = 'root=/dev/vda console=tty0 console=ttyS0,115200'

/** Options of `-blockdev`/`-chardev` style values: commas in paths are doubled, as QEMU wants. */
const q = (value: string): string => value.replaceAll(',', ',,')

/**
 * The `qemu-system-x86_64` argv of a guest (a pure function, snapshot-tested): a clean machine (`-nodefaults`),
 * the flavor's vCPUs and RAM, the SMBIOS system uuid = instance uuid (as Nova's libvirt driver sets it), the root
 * disk as a qcow2 blockdev, the serial console on a unix socket logged to a file at once, QMP and VNC on unix
 * sockets, a pidfile, the config drive as a read-only cdrom, and `-no-shutdown` so a guest power-off leaves QEMU
 * alive for the driver to reap or reset.
 */
export function buildQemuArgv(spec: QemuLaunchSpec): string[] {
  const p = spec.paths
  const bus = spec.diskBus ?? 'virtio'
  const rescue = spec.rescueDisk
  // The disks in the order the guest sees them: a rescue disk first (it boots), then the guest's own.
  const nodes = rescue === undefined ? ['disk0'] : ['rescue0', 'disk0']
  const files = rescue === undefined ? [p.disk] : [rescue, p.disk]
  const device = (node: string, i: number): string[] => {
    const boot = i === 0 ? ',bootindex=1' : ''
    if (bus === 'ide')
      return ['-device', `ide-hd,drive=${node},${ideSlot(i, spec.machineType)}${boot},id=${node}-dev`]
    if (bus === 'scsi') return ['-device', `scsi-hd,drive=${node},bus=scsi0.0${boot},id=${node}-dev`]
    return ['-device', `virtio-blk-pci,drive=${node}${boot},id=${node}-dev`]
  }
  const disks = [
    ...nodes.flatMap((node, i) => [
      '-blockdev',
      `driver=file,filename=${q(files[i]!)},node-name=${node}-file`,
      '-blockdev',
      `driver=qcow2,file=${node}-file,node-name=${node}`,
    ]),
    ...(bus === 'scsi' ? ['-device', 'virtio-scsi-pci,id=scsi0'] : []),
    ...nodes.flatMap(device),
  ]
  return [
    '-name',
    `guest=${q(spec.name)},debug-threads=on`,
    '-uuid',
    spec.uuid,
    '-machine',
    `${spec.machineType ?? 'pc'},accel=${spec.accel}`,
    ...(spec.accel === 'kvm' ? ['-cpu', 'host'] : []),
    '-m',
    String(spec.memoryMb),
    '-smp',
    String(spec.vcpus),
    '-smbios',
    `type=1,manufacturer=OpenStack Foundation,product=OpenStack Nova,serial=${spec.uuid},uuid=${spec.uuid},family=Virtual Machine`,
    '-nodefaults',
    '-no-user-config',
    '-no-shutdown',
    '-display',
    'none',
    '-pidfile',
    p.pidfile,
    '-qmp',
    `unix:${q(p.qmp)},server=on,wait=off`,
    '-chardev',
    `socket,id=serial0,path=${q(p.serial)},server=on,wait=off,logfile=${q(p.consoleLog)},logappend=on`,
    '-serial',
    'chardev:serial0',
    '-device',
    'VGA',
    '-vnc',
    `unix:${q(p.vnc)}`,
    ...disks,
    ...localDiskArgs(spec, 1),
    ...cdromArgs(spec),
    ...nicArgs(spec),
    ...firmwareArgs(spec),
    ...(spec.kernel === undefined
      ? []
      : [
          '-kernel',
          spec.kernel.kernel,
          ...(spec.kernel.initrd === undefined ? [] : ['-initrd', spec.kernel.initrd]),
          '-append',
          spec.kernel.cmdline,
        ]),
    ...(spec.incomingStateFile === undefined
      ? []
      : ['-incoming', `exec:cat ${shellQuote(spec.incomingStateFile)}`]),
  ]
}

/**
 * The config drive's cdrom: a read-only raw blockdev and its device. IDE is the pc machine's second channel, slave
 * (Nova's hdd); SATA is q35's built-in AHCI (its second port) or an added ich9-ahci on pc; SCSI is a scsi-cd on
 * the virtio-scsi controller (added unless the root disk is already on it).
 */
function cdromArgs(spec: QemuLaunchSpec): string[] {
  const cd = spec.configDrive
  if (cd === undefined) return []
  const drive = 'drive=config,id=config-dev'
  const device = (): string[] => {
    switch (cd.bus) {
      case 'ide':
        return ['-device', `ide-cd,${drive},bus=ide.1${isQ35(spec.machineType) ? '' : ',unit=1'}`]
      case 'sata':
        if (isQ35(spec.machineType)) return ['-device', `ide-cd,${drive},bus=ide.1`]
        return ['-device', 'ich9-ahci,id=sata0', '-device', `ide-cd,${drive},bus=sata0.0`]
      case 'scsi':
        return [
          ...(spec.diskBus === 'scsi' ? [] : ['-device', 'virtio-scsi-pci,id=scsi0']),
          '-device',
          `scsi-cd,${drive},bus=scsi0.0`,
        ]
      default:
        throw new Error(`a cdrom cannot sit on bus ${String(cd.bus)} (${CDROM_BUSES.join(', ')})`)
    }
  }
  return [
    '-blockdev',
    `driver=file,filename=${q(spec.paths.configDrive)},node-name=config-file,read-only=on`,
    '-blockdev',
    'driver=raw,file=config-file,node-name=config,read-only=on',
    ...device(),
  ]
}

/** Single-quotes a path for the `exec:` migration URIs (run by /bin/sh). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}

/** The per-guest paths under `instancesPath/<uuid>/` (short names: unix socket paths must fit in 107 bytes). */
export function guestPaths(instancesPath: string, uuid: string): GuestPaths {
  const dir = `${instancesPath.replace(/\/+$/, '')}/${uuid}`
  return {
    dir,
    disk: `${dir}/disk`,
    qmp: `${dir}/qmp.sock`,
    serial: `${dir}/serial.sock`,
    consoleLog: `${dir}/console.log`,
    vnc: `${dir}/vnc.sock`,
    pidfile: `${dir}/qemu.pid`,
    configDrive: `${dir}/disk.config`,
    ephemeral: `${dir}/disk.eph0`,
    swap: `${dir}/disk.swap`,
    nvram: `${dir}/nvram.fd`,
  }
}

/** The longest unix socket path Linux accepts (sun_path is 108 bytes with the NUL). */
export const MAX_SOCKET_PATH = 107
