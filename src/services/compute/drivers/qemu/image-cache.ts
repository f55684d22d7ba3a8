import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, rename, rm, stat, utimes } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Downloads an image's data to `file` (complete or not at all is best; the cache also writes through a temporary
 * name). nova-compute passes the image service client's `downloadTo`, which checks the checksums.
 */
export type ImageFetcher = (imageId: string, file: string) => Promise<unknown>

/** What `qemu-img info` says of a file. */
export interface DiskInfo {
  readonly format: string
  readonly virtualSize: number
}

/** `qemu-img info --output=json` of a file (`-U`: the file may be open in a running guest). */
export async function qemuImgInfo(qemuImg: string, file: string): Promise<DiskInfo> {
  const { stdout } = await run(qemuImg, ['info', '-U', '--output=json', file])
  const info = JSON.parse(stdout) as { format: string; 'virtual-size': number }
  return { format: info.format, virtualSize: info['virtual-size'] }
}

/**
 * The host's image cache (Nova's `instances_path/_base`): each image is downloaded once, to a file named by the
 * sha1 of its id, and shared by the instances whose overlays it backs. Concurrent requests for one image share
 * one download. A file's mtime is its last use (ensure touches it): the image cache manager ages files by it.
 */
export class ImageCache {
  readonly #dir: string
  readonly #fetch: ImageFetcher
  readonly #inFlight = new Map<string, Promise<string>>()
  /** The files ensure() was asked for during each aging pass in progress. */
  readonly #watchers = new Set<Set<string>>()

  constructor(dir: string, fetch: ImageFetcher) {
    this.#dir = dir
    this.#fetch = fetch
  }

  get dir(): string {
    return this.#dir
  }

  /** The cache file of `imageId` (whether or not it is there). */
  pathOf(imageId: string): string {
    return path.join(this.#dir, createHash('sha1').update(imageId).digest('hex'))
  }

  /** The cached file of `imageId`, downloading it first when it is not there yet. */
  ensure(imageId: string): Promise<string> {
    for (const watcher of this.#watchers) watcher.add(this.pathOf(imageId))
    const existing = this.#inFlight.get(imageId)
    if (existing !== undefined) return existing
    const job = this.#download(imageId).finally(() => this.#inFlight.delete(imageId))
    this.#inFlight.set(imageId, job)
    return job
  }

  /**
   * Runs an aging pass: `busy(file)` tells it the files it must not remove (asked for by a spawn since the pass
   * began, or being downloaded), so a guest being created never loses its base between its ensure and its overlay.
   */
  async aging<T>(pass: (busy: (file: string) => boolean) => Promise<T>): Promise<T> {
    const asked = new Set<string>()
    this.#watchers.add(asked)
    try {
      return await pass((file) => asked.has(file))
    } finally {
      this.#watchers.delete(asked)
    }
  }

  async #download(imageId: string): Promise<string> {
    const file = this.pathOf(imageId)
    if (
      await stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    ) {
      const now = new Date()
      await utimes(file, now, now).catch(() => undefined)
      return file
    }
    await mkdir(this.#dir, { recursive: true })
    const tmp = `${file}.part-${randomBytes(4).toString('hex')}`
    try {
      await this.#fetch(imageId, tmp)
      await rename(tmp, file)
    } catch (error) {
      await rm(tmp, { force: true })
      throw error
    }
    return file
  }
}
