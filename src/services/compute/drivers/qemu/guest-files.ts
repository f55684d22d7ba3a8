import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import type { ImageMeta, InstanceSpec } from '../../driver/driver.js'
import { DEFAULT_KERNEL_CMDLINE, type GuestPaths, type QemuLaunchSpec } from './argv.js'
import { createGuestDevices } from './guest-devices.js'
import { RECORD_FILE, writeGuestRecord, type GuestRecord } from './guest-record.js'
import { qemuImgInfo, type DiskInfo, type ImageCache } from './image-cache.js'

const run = promisify(execFile)

/**
 * Creates a new guest's files in its (existing, empty) directory: the root disk as a qcow2 overlay on the cached
 * image (at least the flavor's root_gb), the kernel and ramdisk in the cache for kernel boot, and the record
 * (guest.json) naming the host whose guest it is. Used by spawn, and by a block migration's destination, which
 * must build the same guest (same devices, same disk size) as the source's spawn did.
 */
export async function createGuestFiles(options: {
  readonly instance: InstanceSpec
  readonly image: ImageMeta
  readonly paths: GuestPaths
  readonly cache: ImageCache
  readonly qemuImg: string
  readonly host: string | undefined
  /** `[DEFAULT] default_ephemeral_format`. */
  readonly ephemeralFormat?: string
}): Promise<GuestRecord> {
  const { instance, image, paths, cache } = options
  const props = image.properties
  if (image.id === undefined) throw new Error('the image has no id')
  const base = await cache.ensure(image.id)
  const kernel = await kernelBoot(cache, props)
  const info = await qemuImgInfo(options.qemuImg, base)
  const format = baseFormat(image, info)
  const size = Math.max(instance.flavor.rootGb * 1024 ** 3, info.virtualSize)
  await run(options.qemuImg, [
    'create',
    '-q',
    '-f',
    'qcow2',
    '-b',
    base,
    '-F',
    format,
    paths.disk,
    String(size),
  ])
  const record: GuestRecord = {
    uuid: instance.uuid,
    name: instance.name,
    ...(options.host === undefined ? {} : { host: options.host }),
    flavor: instance.flavor,
    ...(props.hw_machine_type === undefined ? {} : { machineType: props.hw_machine_type }),
    ...(props.hw_disk_bus === undefined ? {} : { diskBus: props.hw_disk_bus }),
    ...(kernel === undefined ? {} : { kernel }),
    ...(await createGuestDevices({
      instance,
      image,
      paths,
      cacheDir: cache.dir,
      qemuImg: options.qemuImg,
      ...(options.ephemeralFormat === undefined ? {} : { ephemeralFormat: options.ephemeralFormat }),
    })),
  }
  await writeGuestRecord(path.join(paths.dir, RECORD_FILE), record)
  return record
}

/**
 * Kernel boot of an AKI/ARI image (kernel_id, ramdisk_id, os_command_line properties): the kernel and ramdisk
 * from the cache; undefined when the image has no kernel_id (it boots from its disk).
 */
export async function kernelBoot(
  cache: ImageCache,
  props: ImageMeta['properties'],
): Promise<QemuLaunchSpec['kernel'] | undefined> {
  const kernelId = props.kernel_id
  const ramdiskId = props.ramdisk_id
  if (kernelId === undefined) return undefined
  return {
    kernel: await cache.ensure(kernelId),
    ...(ramdiskId === undefined ? {} : { initrd: await cache.ensure(ramdiskId) }),
    cmdline: props.os_command_line ?? DEFAULT_KERNEL_CMDLINE,
  }
}

/** The format a cached image is read as under an overlay: qcow2 when declared or detected, raw otherwise. */
export const baseFormat = (image: ImageMeta, info: DiskInfo): 'qcow2' | 'raw' =>
  image.diskFormat === 'qcow2' || info.format === 'qcow2' ? 'qcow2' : 'raw'
