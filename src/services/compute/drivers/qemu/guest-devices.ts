import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { access, copyFile, mkdir, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { ImageMeta, InstanceSpec } from '../../driver/driver.js'
import type { GuestPaths, QemuLaunchSpec } from './argv.js'

const run = promisify(execFile)

/** Debian's OVMF (package ovmf): the UEFI firmware's code and the template of its variable store. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd'
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd'

/** What the guest record keeps of the devices made here (guest-record.ts spreads it in). */
export interface GuestDevices {
  /** The flavor's ephemeral disk (its filesystem) and swap disk, when it has them. */
  readonly localDisks?: {
    readonly ephemeral?: { readonly gb: number; readonly fs: string }
    readonly swap?: { readonly mb: number }
  }
  /** hw_firmware_type=uefi: the firmware code the guest boots (its variables are paths.nvram). */
  readonly uefi?: { readonly code: string }
}

/**
 * Nova's filesystem of an ephemeral disk: `[DEFAULT] default_ephemeral_format` when set, else by the image's
 * os_type: ext4 for linux, ntfs for windows, vfat for anything else.
 */
export function ephemeralFs(osType: string | undefined, configured?: string): string {
  if (configured !== undefined && configured !== '') return configured
  return osType === 'linux' ? 'ext4' : osType === 'windows' ? 'ntfs' : 'vfat'
}

/** The image cache's name of a formatted ephemeral base (`ephemeral_<GB>_<short hash of the filesystem>`). */
export const ephemeralBaseName = (gb: number, fs: string): string =>
  `ephemeral_${gb}_${createHash('sha256').update(fs).digest('hex').slice(0, 7)}`

/** The image cache's name of a swap base (`swap_<MiB>`). */
export const swapBaseName = (mb: number): string => `swap_${mb}`

/** The mkfs command of a filesystem with a label (Nova labels the first ephemeral disk `ephemeral0`). */
export function mkfsArgs(fs: string, label: string, file: string): string[] {
  if (fs === 'vfat') return ['-t', fs, '-n', label, file]
  if (fs === 'ntfs') return ['-t', fs, '-F', '-Q', '-L', label, file]
  if (/^ext[234]$/.test(fs)) return ['-t', fs, '-F', '-q', '-L', label, file]
  return ['-t', fs, file]
}

/**
 * A raw base file in the image cache, made once per size and format (sparse, formatted in a temporary file then
 * renamed, so two spawns never see a half-made one); a base already there is touched (its last use, for aging).
 */
async function ensureBase(
  file: string,
  bytes: number,
  format: (tmp: string) => Promise<unknown>,
): Promise<void> {
  if (
    await access(file).then(
      () => true,
      () => false,
    )
  ) {
    const now = new Date()
    await utimes(file, now, now).catch(() => undefined)
    return
  }
  await mkdir(path.dirname(file), { recursive: true })
  const tmp = `${file}.part-${randomBytes(4).toString('hex')}`
  try {
    await writeFile(tmp, '')
    await truncate(tmp, bytes)
    await format(tmp)
    await rename(tmp, file)
  } catch (error) {
    await rm(tmp, { force: true })
    throw error
  }
}

/**
 * Makes a new guest's devices beyond its root disk, as Nova's libvirt driver does: the flavor's ephemeral disk
 * (`disk.eph0`, a qcow2 overlay on a raw base in the image cache formatted with the filesystem of ephemeralFs,
 * label ephemeral0) and swap disk (`disk.swap`, an overlay on a mkswap'd base), and for hw_firmware_type=uefi the
 * guest's own copy of OVMF's variable store (`nvram.fd`). Returns what the guest record keeps of them.
 */
export async function createGuestDevices(options: {
  readonly instance: InstanceSpec
  readonly image: ImageMeta
  readonly paths: GuestPaths
  readonly cacheDir: string
  readonly qemuImg: string
  /** `[DEFAULT] default_ephemeral_format`. */
  readonly ephemeralFormat?: string
}): Promise<GuestDevices> {
  const { instance, image, paths, cacheDir, qemuImg } = options
  const overlay = (base: string, file: string) =>
    run(qemuImg, ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', file])
  const { ephemeralGb: gb, swapMb: mb } = instance.flavor
  let ephemeral: { gb: number; fs: string } | undefined
  if (gb > 0) {
    const fs = ephemeralFs(image.properties.os_type, options.ephemeralFormat)
    const base = path.join(cacheDir, ephemeralBaseName(gb, fs))
    await ensureBase(base, gb * 1024 ** 3, (tmp) => run('mkfs', mkfsArgs(fs, 'ephemeral0', tmp)))
    await overlay(base, paths.ephemeral)
    ephemeral = { gb, fs }
  }
  if (mb > 0) {
    const base = path.join(cacheDir, swapBaseName(mb))
    await ensureBase(base, mb * 1024 ** 2, (tmp) => run('mkswap', ['-q', tmp]))
    await overlay(base, paths.swap)
  }
  const firmware = image.properties.hw_firmware_type
  if (firmware !== undefined && firmware !== 'bios' && firmware !== 'uefi')
    throw new Error(`hw_firmware_type ${firmware} is not supported (bios, uefi)`)
  if (firmware === 'uefi') {
    await copyFile(OVMF_VARS, paths.nvram).catch((error: Error) => {
      throw new Error(`hw_firmware_type=uefi needs Debian's ovmf package (${OVMF_VARS}): ${error.message}`)
    })
  }
  const localDisks = {
    ...(ephemeral === undefined ? {} : { ephemeral }),
    ...(mb > 0 ? { swap: { mb } } : {}),
  }
  return {
    ...(Object.keys(localDisks).length === 0 ? {} : { localDisks }),
    ...(firmware === 'uefi' ? { uefi: { code: OVMF_CODE } } : {}),
  }
}

/** The launch spec's fields of a guest's devices, from its record. */
export function devicesOf(record: GuestDevices): Pick<QemuLaunchSpec, 'localDisks' | 'uefi'> {
  const local = record.localDisks
  return {
    ...(local === undefined
      ? {}
      : { localDisks: { ephemeral: local.ephemeral !== undefined, swap: local.swap !== undefined } }),
    ...(record.uefi === undefined ? {} : { uefi: record.uefi }),
  }
}
