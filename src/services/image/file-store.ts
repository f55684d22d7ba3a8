import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { OverLimit } from '../../common/errors/index.js'

export interface StoredImage {
  readonly size: number
  /** md5, hex (Glance's `checksum`). */
  readonly md5: string
  /** sha512, hex (Glance's `os_hash_value` with `os_hash_algo` sha512). */
  readonly sha512: string
  /** The first bytes of the data, for format inspection. */
  readonly head: Buffer
}

/**
 * Image data as files under one directory (`<state_path>/images`). A write streams to a temporary file while
 * hashing, and is renamed into place only when the whole upload arrived and `accept` agreed: an upload cut off
 * or refused leaves no file behind. Memory stays flat whatever the image size.
 */
export class FileImageStore {
  readonly #dir: string

  constructor(dir: string) {
    this.#dir = dir
  }

  #file(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not an image id: ${id}`)
    return path.join(this.#dir, id)
  }

  async write(
    id: string,
    data: Readable,
    options: { maxBytes: number; accept: (stored: StoredImage) => Promise<void> },
  ): Promise<StoredImage> {
    await mkdir(this.#dir, { recursive: true })
    const tmp = path.join(this.#dir, `.upload-${id}-${randomBytes(6).toString('hex')}`)
    const md5 = createHash('md5')
    const sha512 = createHash('sha512')
    let size = 0
    const heads: Buffer[] = []
    let headBytes = 0
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length
        if (size > options.maxBytes) {
          done(new OverLimit(`Image size exceeds the limit of ${options.maxBytes} bytes.`))
          return
        }
        md5.update(chunk)
        sha512.update(chunk)
        if (headBytes < 1024) {
          heads.push(chunk.subarray(0, 1024 - headBytes))
          headBytes += Math.min(chunk.length, 1024 - headBytes)
        }
        done(null, chunk)
      },
    })
    try {
      await pipeline(data, tap, createWriteStream(tmp, { mode: 0o600 }))
      const stored = {
        size,
        md5: md5.digest('hex'),
        sha512: sha512.digest('hex'),
        head: Buffer.concat(heads),
      }
      await options.accept(stored)
      await rename(tmp, this.#file(id))
      return stored
    } catch (error) {
      await rm(tmp, { force: true })
      throw error
    }
  }

  /** A stream of the data (or of bytes start..end inclusive). */
  read(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.#file(id), range === undefined ? {} : range)
  }

  async size(id: string): Promise<number | undefined> {
    return (await stat(this.#file(id)).catch(() => undefined))?.size
  }

  /** Idempotent. */
  async remove(id: string): Promise<void> {
    await rm(this.#file(id), { force: true })
  }

  /** Reads `length` bytes at `offset` of a stored image (qcow2 header checks). */
  async peek(id: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.#file(id), 'r')
    try {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buffer, 0, length, offset)
      return buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  }
}
