import { open, readdir, readFile, rm, stat, utimes } from 'node:fs/promises'
import path from 'node:path'
import type { ImageCacheReport, ImageCacheSettings } from '../../driver/driver.js'
import { RECORD_FILE } from './guest-record.js'

/** Cached images are named by the sha1 of their image id; anything else in the folder is not the cache's. */
const CACHED_NAME = /^[0-9a-f]{40}$/

/** The backing file a qcow2 file names in its header (absolute), or undefined (not qcow2, or no backing file). */
export async function qcow2BackingFile(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r').catch(() => undefined)
  if (handle === undefined) return undefined
  try {
    // Header: magic 'QFI\xfb', version (u32), backing_file_offset (u64), backing_file_size (u32), big-endian.
    const header = Buffer.alloc(20)
    const { bytesRead } = await handle.read(header, 0, 20, 0)
    if (bytesRead < 20 || header.readUInt32BE(0) !== 0x514649fb) return undefined
    const offset = header.readBigUInt64BE(8)
    const size = header.readUInt32BE(16)
    if (offset === 0n || size === 0 || size > 4096) return undefined
    const name = Buffer.alloc(size)
    await handle.read(name, 0, size, Number(offset))
    return path.resolve(path.dirname(file), name.toString('utf8'))
  } finally {
    await handle.close()
  }
}

/** Every string in a JSON value (the paths a guest record names, whatever its shape). */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out)
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) stringsIn(item, out)
  return out
}

/**
 * The cached files the guests under `instancesPath` use, running or not: the backing files of the qcow2 disks in
 * each instance folder (overlays of overlays included, as long as the chain stays in instance folders) and the
 * kernel and ramdisk their records name.
 */
export async function cachedFilesInUse(instancesPath: string, cacheDir: string): Promise<Set<string>> {
  const cache = path.resolve(cacheDir)
  const inUse = new Set<string>()
  const entries = await readdir(instancesPath, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const dir = path.resolve(instancesPath, entry.name)
    if (!entry.isDirectory() || dir === cache) continue
    for (const file of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (!file.isFile()) continue
      const full = path.join(dir, file.name)
      if (file.name === RECORD_FILE) {
        const record = await readFile(full, 'utf8')
          .then((text) => JSON.parse(text) as unknown)
          .catch(() => undefined)
        for (const s of stringsIn(record))
          if (path.dirname(path.resolve(s)) === cache) inUse.add(path.resolve(s))
        continue
      }
      const backing = await qcow2BackingFile(full)
      if (backing !== undefined && path.dirname(backing) === cache) inUse.add(backing)
    }
  }
  return inUse
}

/**
 * One pass of the image cache manager over `cacheDir` (Nova's semantics): a cached image some guest uses is kept
 * and touched (its mtime is its last use); an unused one whose last use is older than `minimumAgeS` is removed
 * when `removeUnusedBaseImages`; `busy` files (being downloaded) are left alone.
 */
export async function ageImageCache(options: {
  readonly instancesPath: string
  readonly cacheDir: string
  readonly settings: ImageCacheSettings
  readonly busy?: (file: string) => boolean
  readonly now?: Date
}): Promise<ImageCacheReport> {
  const now = options.now ?? new Date()
  const cacheDir = path.resolve(options.cacheDir)
  const inUse = await cachedFilesInUse(options.instancesPath, cacheDir)
  const report = { inUse: [] as string[], removed: [] as string[], kept: [] as string[] }
  const names = await readdir(cacheDir).catch(() => [] as string[])
  for (const name of names.filter((n) => CACHED_NAME.test(n)).sort()) {
    const file = path.join(cacheDir, name)
    if (inUse.has(file)) {
      await utimes(file, now, now).catch(() => undefined)
      report.inUse.push(name)
      continue
    }
    const info = await stat(file).catch(() => undefined)
    if (info === undefined || !info.isFile()) continue
    const ageS = (now.getTime() - info.mtimeMs) / 1000
    if (
      options.settings.removeUnusedBaseImages &&
      ageS >= options.settings.minimumAgeS &&
      !options.busy?.(file)
    ) {
      await rm(file, { force: true })
      report.removed.push(name)
    } else report.kept.push(name)
  }
  return report
}
