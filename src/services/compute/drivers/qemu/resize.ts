import { execFile } from 'node:child_process'
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { GuestFlavor, GuestRef, MigrationDiskTarget, SpawnRequest } from '../../driver/driver.js'
import { GuestExists } from '../../driver/errors.js'
import { PowerState } from '../../driver/power-state.js'
import { guestPaths, type GuestPaths } from './argv.js'
import {
  QEMU_LOG_FILE,
  readGuestRecord,
  RECORD_FILE,
  SUSPENDED_STATE_FILE,
  writeGuestRecord,
  type GuestRecord,
} from './guest-record.js'
import type { Guest } from './guests.js'
import { qemuImgInfo } from './image-cache.js'
import { qcow2BackingFile } from './image-cache-manager.js'
import type { QemuMoveHost } from './move-host.js'

const run = promisify(execFile)

/** What the source keeps of a guest it migrated away until the resize is confirmed: `<uuid>_resize` (Nova's). */
export const RESIZE_SUFFIX = '_resize'
/** The source's record of a migrated guest in the destination's directory, until finishMigration takes it. */
const MIGRATED_RECORD_FILE = 'migrated.json'
/** Copies of the kernel and ramdisk of a kernel-boot guest, in its directory on the destination. */
const KERNEL_FILE = 'kernel'
const RAMDISK_FILE = 'ramdisk'
/** Files of a guest directory that stay behind: the root disk is converted, the record rewritten, the rest is the old process's. */
const NOT_COPIED = new Set([
  RECORD_FILE,
  QEMU_LOG_FILE,
  SUSPENDED_STATE_FILE,
  'qemu.pid',
  KERNEL_FILE,
  RAMDISK_FILE,
])

const GIB = 1024 ** 3

const markerName = (uuid: string): string => `.resize-target-${uuid}`

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  )

/**
 * On the destination (prep_resize): this host's instances path, and a marker file in it that the source must see
 * to copy there (both computes on one machine, or a shared filesystem).
 */
export async function prepareMigrationTarget(
  host: QemuMoveHost,
  ref: GuestRef,
): Promise<MigrationDiskTarget> {
  await mkdir(host.instancesPath, { recursive: true })
  const marker = markerName(ref.uuid)
  await writeFile(path.join(host.instancesPath, marker), `${host.host() ?? ''}\n`)
  return { instancesPath: host.instancesPath, marker }
}

/**
 * On the source (Nova's migrate_disk_and_power_off): refuses a smaller root disk, powers the guest off (ACPI first
 * for `timeoutS`), moves its directory aside to `<uuid>_resize` (kept for a revert) and copies it into
 * `<target instances path>/<uuid>/`: its qcow2 overlays (root, ephemeral, swap disks) flattened into standalone
 * ones (`qemu-img convert`: the destination needs neither this host's image cache nor the image service), a
 * kernel-boot guest's kernel and ramdisk, the other files (config drive, console log), the record as
 * migrated.json. The target is the
 * destination's instances path when it named one whose marker is visible here (then the marker goes), else this
 * host's own. On failure the guest is put back as it was, powered off.
 */
export async function migrateDiskAndPowerOff(
  host: QemuMoveHost,
  ref: GuestRef,
  flavor: GuestFlavor,
  options: {
    readonly target?: MigrationDiskTarget
    readonly timeoutS?: number
    readonly retryIntervalS?: number
  } = {},
): Promise<void> {
  const { guests } = host
  await guests.locked(ref.uuid, async () => {
    const guest = guests.get(ref)
    if (flavor.rootGb > 0 && flavor.rootGb < guest.record.flavor.rootGb)
      throw new Error('Unable to resize disk down.')
    const targetPath = await reachableTarget(host, options.target)
    const timeoutS = options.timeoutS ?? 0
    if (timeoutS > 0 && (await guests.state(guest)) === PowerState.RUNNING)
      await guests.acpiShutdown(guest, timeoutS * 1000, (options.retryIntervalS ?? 10) * 1000)
    await guests.stopProcess(guest)
    const kept = `${guest.paths.dir}${RESIZE_SUFFIX}`
    await rm(kept, { recursive: true, force: true })
    await guests.remove(ref.uuid, guest.paths, true)
    await rename(guest.paths.dir, kept)
    try {
      await copyGuest(
        host.qemuImg,
        guest.record,
        { dir: guest.paths.dir, keptIn: kept },
        guestPaths(targetPath, ref.uuid),
      )
    } catch (error) {
      await rename(kept, guest.paths.dir)
      guests.add({ ...guest, pid: undefined, qmp: undefined })
      throw error
    }
  })
}

/** The instances path the disks go to: the target's when its marker is seen here, this host's without a target. */
async function reachableTarget(host: QemuMoveHost, target: MigrationDiskTarget | undefined): Promise<string> {
  const targetPath = target?.instancesPath
  if (targetPath === undefined) return host.instancesPath
  const marker = path.join(targetPath, target?.marker ?? '')
  if (target?.marker === undefined || !(await exists(marker)))
    throw new Error(
      `the destination's instances path ${targetPath} is not reachable from this host (copying to another machine is not supported)`,
    )
  await rm(marker, { force: true })
  return targetPath
}

/**
 * Copies the guest whose directory `from.dir` was moved to `from.keptIn` into the new directory `to` (removed
 * again on failure).
 */
async function copyGuest(
  qemuImg: string,
  record: GuestRecord,
  source: { readonly dir: string; readonly keptIn: string },
  to: GuestPaths,
): Promise<void> {
  const from = source.keptIn
  // A file the record names in the guest's directory (a kernel copied in by an earlier move) is now in keptIn.
  const moved = (file: string) =>
    path.dirname(file) === source.dir ? path.join(from, path.basename(file)) : file
  await mkdir(to.dir).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST' ? new GuestExists(record.name) : error
  })
  try {
    // qcow2 overlays (root, ephemeral, swap) are flattened, the rest (config drive, console log, …) copied.
    for (const entry of await readdir(from, { withFileTypes: true })) {
      if (!entry.isFile() || NOT_COPIED.has(entry.name)) continue
      const source = path.join(from, entry.name)
      const target = path.join(to.dir, entry.name)
      if ((await qcow2BackingFile(source)) === undefined) await copyFile(source, target)
      else await run(qemuImg, ['convert', '-q', '-f', 'qcow2', '-O', 'qcow2', source, target])
    }
    let kernel = record.kernel
    if (kernel !== undefined) {
      const copy = path.join(to.dir, KERNEL_FILE)
      await copyFile(moved(kernel.kernel), copy)
      let initrd: string | undefined
      if (kernel.initrd !== undefined) {
        initrd = path.join(to.dir, RAMDISK_FILE)
        await copyFile(moved(kernel.initrd), initrd)
      }
      kernel = { kernel: copy, ...(initrd === undefined ? {} : { initrd }), cmdline: kernel.cmdline }
    }
    const { kernel: _, ...rest } = record
    await writeGuestRecord(path.join(to.dir, MIGRATED_RECORD_FILE), {
      ...rest,
      ...(kernel === undefined ? {} : { kernel }),
    })
  } catch (error) {
    await rm(to.dir, { recursive: true, force: true })
    throw error
  }
}

/**
 * On the destination (Nova's finish_migration): the guest from the migrated directory with the new flavor: its
 * root disk grown to the flavor's root_gb (`qemu-img resize`), the record this host's; RUNNING unless powerOn
 * false. GuestExists when this host already has the guest.
 */
export async function finishMigration(host: QemuMoveHost, request: SpawnRequest): Promise<void> {
  const { instance } = request
  const { guests } = host
  await guests.locked(instance.uuid, async () => {
    if (guests.has(instance.uuid)) throw new GuestExists(instance.name)
    await rm(path.join(host.instancesPath, markerName(instance.uuid)), { force: true })
    const paths = guestPaths(host.instancesPath, instance.uuid)
    const migrated = await readGuestRecord(path.join(paths.dir, MIGRATED_RECORD_FILE))
    if (migrated === undefined || migrated.uuid !== instance.uuid)
      throw new Error(`no migrated disks of instance ${instance.uuid} in ${paths.dir}`)
    const size = instance.flavor.rootGb * GIB
    if (size > (await qemuImgInfo(host.qemuImg, paths.disk)).virtualSize)
      await run(host.qemuImg, ['resize', '-q', '-f', 'qcow2', paths.disk, String(size)])
    const nodename = host.host()
    const record: GuestRecord = {
      ...migrated,
      ...(nodename === undefined ? {} : { host: nodename }),
      flavor: instance.flavor,
    }
    await writeGuestRecord(path.join(paths.dir, RECORD_FILE), record)
    await rm(path.join(paths.dir, MIGRATED_RECORD_FILE), { force: true })
    const guest: Guest = { record, paths, pid: undefined, qmp: undefined }
    guests.add(guest)
    if (request.powerOn ?? true) await guests.start(guest)
  })
}

/** On the source after a confirm (Nova's confirm_migration): the kept `<uuid>_resize` goes. Idempotent. */
export async function confirmMigration(host: QemuMoveHost, ref: GuestRef): Promise<void> {
  await host.guests.locked(ref.uuid, async () => {
    const dir = guestPaths(host.instancesPath, ref.uuid).dir
    await rm(`${dir}${RESIZE_SUFFIX}`, { recursive: true, force: true })
  })
}

/**
 * On the source after a revert (Nova's finish_revert_migration; the destination destroyed its guest): the kept
 * `<uuid>_resize` becomes the guest's directory again (anything left at its own path, e.g. by a resize on this
 * host, goes first), with its old disk and record; RUNNING unless powerOn false.
 */
export async function finishRevertMigration(host: QemuMoveHost, request: SpawnRequest): Promise<void> {
  const { instance } = request
  const { guests } = host
  await guests.locked(instance.uuid, async () => {
    if (guests.has(instance.uuid)) throw new GuestExists(instance.name)
    const paths = guestPaths(host.instancesPath, instance.uuid)
    const kept = `${paths.dir}${RESIZE_SUFFIX}`
    if (!(await exists(kept))) throw new Error(`nothing of instance ${instance.uuid} was kept to revert to`)
    await rm(paths.dir, { recursive: true, force: true })
    await rename(kept, paths.dir)
    const old = await readGuestRecord(path.join(paths.dir, RECORD_FILE))
    if (old === undefined) throw new Error(`the kept guest of instance ${instance.uuid} has no record`)
    const record: GuestRecord = { ...old, flavor: instance.flavor }
    await writeGuestRecord(path.join(paths.dir, RECORD_FILE), record)
    const guest: Guest = { record, paths, pid: undefined, qmp: undefined }
    guests.add(guest)
    if (request.powerOn ?? true) await guests.start(guest)
  })
}
