import { readFile, writeFile } from 'node:fs/promises'
import type { GuestFlavor } from '../../driver/driver.js'
import { PowerState } from '../../driver/power-state.js'
import type { QemuLaunchSpec } from './argv.js'
import type { GuestDevices } from './guest-devices.js'

/** What the driver keeps of a guest in `instances/<uuid>/guest.json`: enough to start it again after a restart. */
/** Also the devices made at spawn (GuestDevices: ephemeral and swap disks, UEFI). */
export interface GuestRecord extends GuestDevices {
  readonly uuid: string
  readonly name: string
  /**
   * The compute host (node) whose guest it is. Two hosts may share an instances path (live migration with shared
   * storage): each adopts only its own guests. Absent in records written before it existed: adopted by any.
   */
  readonly host?: string
  readonly flavor: GuestFlavor
  readonly machineType?: string
  readonly diskBus?: string
  readonly kernel?: QemuLaunchSpec['kernel']
  /**
   * Set while the guest is rescued: it boots from `disk.rescue` (its own disk attached second) and with the
   * rescue image's kernel instead of `kernel` (rescue.ts).
   */
  readonly rescue?: { readonly kernel?: QemuLaunchSpec['kernel'] }
  /** The config drive (`disk.config`) and the bus of its cdrom, when the guest has one. */
  readonly configDrive?: QemuLaunchSpec['configDrive']
}

export const RECORD_FILE = 'guest.json'
/** The saved state of a suspended guest. */
export const SUSPENDED_STATE_FILE = 'suspended.state'
/** QEMU's own stdout/stderr. */
export const QEMU_LOG_FILE = 'qemu.log'

export async function readGuestRecord(file: string): Promise<GuestRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as GuestRecord
    return typeof record.uuid === 'string' ? record : undefined
  } catch {
    return undefined
  }
}

export async function writeGuestRecord(file: string, record: GuestRecord): Promise<void> {
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`)
}

/** Nova's power state of a guest whose QEMU answers `query-status` with `status` (QEMU's RunState). */
export function powerStateOfRunState(status: string): PowerState {
  switch (status) {
    case 'running':
      return PowerState.RUNNING
    case 'shutdown':
      return PowerState.SHUTDOWN
    case 'internal-error':
    case 'guest-panicked':
    case 'io-error':
      return PowerState.CRASHED
    case 'suspended':
      return PowerState.SUSPENDED
    default:
      // paused, prelaunch, inmigrate, postmigrate, finish-migrate, restore-vm, save-vm, debug, watchdog, colo
      return PowerState.PAUSED
  }
}
