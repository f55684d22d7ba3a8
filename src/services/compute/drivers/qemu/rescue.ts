import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { GuestRef, ImageMeta } from '../../driver/driver.js'
import { GuestInvalidState } from '../../driver/errors.js'
import type { GuestPaths, QemuLaunchSpec } from './argv.js'
import { baseFormat, kernelBoot } from './guest-files.js'
import { RECORD_FILE, writeGuestRecord, type GuestRecord } from './guest-record.js'
import { qemuImgInfo } from './image-cache.js'
import { qcow2BackingFile } from './image-cache-manager.js'
import type { Guest } from './guests.js'
import type { QemuMoveHost } from './move-host.js'

const run = promisify(execFile)

/** The rescue disk: an overlay on the rescue image, in the guest's directory while it is rescued. */
export const RESCUE_DISK_FILE = 'disk.rescue'

/** How the guest boots: rescued, from the rescue disk and the rescue image's kernel; else its own disk and kernel. */
export function bootOf(
  record: GuestRecord,
  paths: GuestPaths,
): Pick<QemuLaunchSpec, 'kernel' | 'rescueDisk'> {
  if (record.rescue === undefined) return record.kernel === undefined ? {} : { kernel: record.kernel }
  return {
    rescueDisk: path.join(paths.dir, RESCUE_DISK_FILE),
    ...(record.rescue.kernel === undefined ? {} : { kernel: record.rescue.kernel }),
  }
}

/**
 * Nova's libvirt rescue: the guest's QEMU stops, and a new one boots from `disk.rescue` (an overlay on the rescue
 * image, from the image cache, with the image's kernel for an AMI) with the guest's own disk attached as its second
 * disk. The rescue image is `image` (the compute manager's metadata of the instance's image or of
 * rescue_image_ref), else `rescueImageId` without properties, else the cached image the guest's own disk is an
 * overlay of, with the guest's own kernel. The record keeps the rescue, so a restart of the
 * guest (or of nova-compute) stays rescued. GuestInvalidState when already rescued; on failure the guest is left
 * as it was, powered off.
 */
export async function rescueGuest(
  host: QemuMoveHost,
  ref: GuestRef,
  options: { readonly rescueImageId?: string; readonly image?: ImageMeta },
): Promise<void> {
  const { guests, qemuImg } = host
  await guests.locked(ref.uuid, async () => {
    const guest = guests.get(ref)
    if (guest.record.rescue !== undefined) throw new GuestInvalidState(ref.uuid, 'rescue', 'rescued')
    const image =
      options.image ??
      (options.rescueImageId === undefined ? undefined : { id: options.rescueImageId, properties: {} })
    const { base, format, size, kernel } = await rescueSource(host, guest, image)
    const disk = path.join(guest.paths.dir, RESCUE_DISK_FILE)
    await run(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', base, '-F', format, disk, String(size)])
    await guests.stopProcess(guest)
    const own = guest.record
    try {
      await setRecord(guest, { ...own, rescue: kernel === undefined ? {} : { kernel } })
      await guests.start(guest)
    } catch (error) {
      await guests.stopProcess(guest)
      await setRecord(guest, own)
      await rm(disk, { force: true })
      throw error
    }
  })
}

/**
 * What the rescue disk is an overlay of, and the kernel to boot: `image` from the cache (with its kernel for an
 * AMI); without one, the cached image the guest's own disk is an overlay of, and the guest's own kernel.
 */
async function rescueSource(
  host: QemuMoveHost,
  guest: Guest,
  image: ImageMeta | undefined,
): Promise<{ base: string; format: 'qcow2' | 'raw'; size: number; kernel?: QemuLaunchSpec['kernel'] }> {
  const { cache, qemuImg } = host
  const id = image?.id
  const base = id === undefined ? await qcow2BackingFile(guest.paths.disk) : await cache.ensure(id)
  if (base === undefined) throw new Error(`no rescue image for instance ${guest.record.uuid}`)
  const info = await qemuImgInfo(qemuImg, base)
  const kernel = image === undefined ? guest.record.kernel : await kernelBoot(cache, image.properties)
  return {
    base,
    format: image === undefined ? (info.format === 'qcow2' ? 'qcow2' : 'raw') : baseFormat(image, info),
    size: info.virtualSize,
    ...(kernel === undefined ? {} : { kernel }),
  }
}

/** Nova's unrescue: the rescue QEMU stops, the rescue disk goes, the guest boots from its own disk again. */
export async function unrescueGuest(host: QemuMoveHost, ref: GuestRef): Promise<void> {
  const { guests } = host
  await guests.locked(ref.uuid, async () => {
    const guest = guests.get(ref)
    if (guest.record.rescue === undefined) throw new GuestInvalidState(ref.uuid, 'unrescue', 'not rescued')
    await guests.stopProcess(guest)
    const { rescue: _, ...own } = guest.record
    await setRecord(guest, own)
    await rm(path.join(guest.paths.dir, RESCUE_DISK_FILE), { force: true })
    await guests.start(guest)
  })
}

async function setRecord(guest: { record: GuestRecord; readonly paths: GuestPaths }, record: GuestRecord) {
  await writeGuestRecord(path.join(guest.paths.dir, RECORD_FILE), record)
  guest.record = record
}
