import type { QemuLaunchSpec } from './argv.js'

/**
 * The QEMU argv of a guest's devices beyond its root disk, config drive and consoles (pure, used by argv.ts):
 * the flavor's ephemeral and swap disks, UEFI firmware, and one NIC per VIF.
 */

/** One NIC of the guest: a VIF's tap (plugged by the networking service) and the model of hw_vif_model. */
export interface NicSpec {
  /** The VIF (port) id. */
  readonly id: string
  readonly mac: string
  /** The host tap device the VIF was plugged into (Nova's devname, `tap` + the port id's first 11 characters). */
  readonly tap: string
  /** hw_vif_model: virtio (default), e1000, e1000e, rtl8139, ne2k_pci, pcnet or vmxnet3. */
  readonly model?: string
  readonly mtu?: number
}

/** hw_vif_model → QEMU's device (the x86 models Nova's libvirt driver accepts for kvm/qemu). */
export const VIF_MODEL_DEVICES: Readonly<Record<string, string>> = {
  virtio: 'virtio-net-pci',
  e1000: 'e1000',
  e1000e: 'e1000e',
  rtl8139: 'rtl8139',
  ne2k_pci: 'ne2k_pci',
  pcnet: 'pcnet',
  vmxnet3: 'vmxnet3',
}

/** The QEMU device of hw_vif_model (virtio when unset); an Error naming the models for any other. */
export function nicDevice(model: string | undefined): string {
  const device = VIF_MODEL_DEVICES[model ?? 'virtio']
  if (device === undefined)
    throw new Error(
      `hw_vif_model ${String(model)} is not supported by the QEMU driver (${Object.keys(VIF_MODEL_DEVICES).join(', ')})`,
    )
  return device
}

/** Options of `-blockdev`/`-drive` style values: commas in paths are doubled, as QEMU wants. */
const q = (value: string): string => value.replaceAll(',', ',,')

const isQ35 = (machineType: string | undefined): boolean => /q35/.test(machineType ?? 'pc')

/**
 * Where the `index`-th disk (0: the boot disk) sits on IDE: pc has two channels of two units, the last one the
 * config drive's (Nova's hdd); q35's AHCI has six ports, the second one the config drive's.
 */
export function ideSlot(index: number, machineType: string | undefined): string {
  if (isQ35(machineType)) {
    if (index === 0) return 'bus=ide.0'
    if (index <= 4) return `bus=ide.${index + 1}`
  } else {
    const slots = ['bus=ide.0', 'bus=ide.0,unit=1', 'bus=ide.1,unit=0']
    const slot = slots[index]
    if (slot !== undefined) return slot
  }
  throw new Error(`no IDE slot for disk ${index + 1} on machine type ${machineType ?? 'pc'}`)
}

/**
 * The flavor's ephemeral disk (node eph0) and swap disk (node swap0), qcow2 files after the root disk (and the
 * rescue disk) on the root disk's bus: on virtio the guest sees them as vdb and vdc, as Nova's libvirt driver
 * orders them. `first` is the index of the first of them among the guest's disks, one more on a rescued guest
 * (its rescue disk comes first).
 */
export function localDiskArgs(spec: QemuLaunchSpec, first: number): string[] {
  const local = spec.localDisks
  if (local === undefined) return []
  const rescued = 'rescueDisk' in spec && spec.rescueDisk !== undefined
  const start = first + (rescued ? 1 : 0)
  const disks = [
    ...(local.ephemeral === true ? [{ node: 'eph0', file: spec.paths.ephemeral }] : []),
    ...(local.swap === true ? [{ node: 'swap0', file: spec.paths.swap }] : []),
  ]
  const bus = spec.diskBus ?? 'virtio'
  return disks.flatMap(({ node, file }, i) => [
    '-blockdev',
    `driver=file,filename=${q(file)},node-name=${node}-file`,
    '-blockdev',
    `driver=qcow2,file=${node}-file,node-name=${node}`,
    '-device',
    bus === 'ide'
      ? `ide-hd,drive=${node},${ideSlot(start + i, spec.machineType)},id=${node}-dev`
      : bus === 'scsi'
        ? `scsi-hd,drive=${node},bus=scsi0.0,id=${node}-dev`
        : `virtio-blk-pci,drive=${node},id=${node}-dev`,
  ])
}

/**
 * UEFI (hw_firmware_type=uefi): the firmware's code read-only as the first pflash, the guest's own copy of its
 * variable store (paths.nvram, made from the firmware's template at spawn) as the second.
 */
export function firmwareArgs(spec: QemuLaunchSpec): string[] {
  if (spec.uefi === undefined) return []
  return [
    '-drive',
    `if=pflash,format=raw,unit=0,readonly=on,file=${q(spec.uefi.code)}`,
    '-drive',
    `if=pflash,format=raw,unit=1,file=${q(spec.paths.nvram)}`,
  ]
}

/**
 * One NIC per VIF: a tap netdev on the VIF's (already plugged) tap device, without scripts, and the device of its
 * model with the VIF's MAC (and, on virtio, the network's MTU). No VIF, no NIC.
 */
export function nicArgs(spec: QemuLaunchSpec): string[] {
  return (spec.nics ?? []).flatMap((nic, i) => {
    const device = nicDevice(nic.model)
    const mtu = nic.mtu !== undefined && device === 'virtio-net-pci' ? `,host_mtu=${nic.mtu}` : ''
    return [
      '-netdev',
      `tap,id=hostnet${i},ifname=${q(nic.tap)},script=no,downscript=no`,
      '-device',
      `${device},netdev=hostnet${i},id=net${i},mac=${nic.mac}${mtu}`,
    ]
  })
}
