import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  Forbidden,
  ImageChecksumMismatch,
  ImageNotFound,
  ImageServiceUnavailable,
} from '../../common/errors/index.js'

export {
  IMAGE_CORE_FIELDS,
  imageProperties,
  imagePropertiesOfInstance,
  snapshotImageFields,
} from './image-properties.js'

/** What other services need of an image record. */
export interface ImageInfo {
  readonly id: string
  readonly name: string | null
  readonly status: string
  readonly disk_format: string | null
  readonly container_format: string | null
  readonly size: number | null
  readonly checksum: string | null
  readonly os_hash_algo: string | null
  readonly os_hash_value: string | null
  readonly [property: string]: unknown
}

export interface ImageClientOptions {
  /** The image endpoint from the catalog, e.g. `http://controller:9292`. */
  readonly baseUrl: string
  /** A token to act with (the user's, or a service token for host-side work). */
  readonly token: () => string | Promise<string>
}

/**
 * The image service as other services use it (Nova's glance client): show an image, download its data into a
 * file with the hashes verified (nothing half-written is left on failure), and upload a new image (snapshots).
 */
export class ImageClient {
  readonly #options: ImageClientOptions

  constructor(options: ImageClientOptions) {
    this.#options = options
  }

  async #request(
    method: string,
    url: string,
    init: { body?: NonNullable<RequestInit['body']>; contentType?: string; duplex?: boolean } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { 'x-auth-token': await this.#options.token() }
    if (init.contentType !== undefined) headers['content-type'] = init.contentType
    return await fetch(`${this.#options.baseUrl.replace(/\/+$/, '')}${url}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.duplex === true ? { duplex: 'half' } : {}),
    } as RequestInit)
  }

  async #expect(res: Response, ok: number[], imageId?: string): Promise<void> {
    if (ok.includes(res.status)) return
    if (res.status === 404 && imageId !== undefined) throw new ImageNotFound({ imageId })
    if (res.status === 403) throw new Forbidden((await res.text()).slice(0, 200) || 'Forbidden')
    throw new ImageServiceUnavailable({ status: res.status, detail: (await res.text()).slice(0, 200) })
  }

  async show(imageId: string): Promise<ImageInfo> {
    const res = await this.#request('GET', `/v2/images/${imageId}`)
    await this.#expect(res, [200], imageId)
    return (await res.json()) as ImageInfo
  }

  /**
   * Downloads an active image's data to `file` (through a temporary name in the same folder) and checks it
   * against the image's sha512 (`os_hash_value`) and md5 (`checksum`). On a mismatch or a broken transfer the
   * partial file is removed and the error thrown; `file` is only ever complete.
   */
  async downloadTo(imageId: string, file: string): Promise<{ size: number; sha512: string }> {
    const image = await this.show(imageId)
    const res = await this.#request('GET', `/v2/images/${imageId}/file`)
    await this.#expect(res, [200], imageId)
    if (res.body === null) throw new ImageServiceUnavailable({ status: res.status, detail: 'no data' })
    await mkdir(path.dirname(file), { recursive: true })
    const tmp = `${file}.part-${randomBytes(4).toString('hex')}`
    const sha512 = createHash('sha512')
    const md5 = createHash('md5')
    let size = 0
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length
        sha512.update(chunk)
        md5.update(chunk)
        done(null, chunk)
      },
    })
    try {
      await pipeline(Readable.fromWeb(res.body as never), tap, createWriteStream(tmp))
      const got = sha512.digest('hex')
      if (image.os_hash_value !== null && image.os_hash_value !== got)
        throw new ImageChecksumMismatch({ imageId, algorithm: 'sha512' })
      if (image.checksum !== null && image.checksum !== md5.digest('hex'))
        throw new ImageChecksumMismatch({ imageId, algorithm: 'md5' })
      await rename(tmp, file)
      return { size, sha512: got }
    } catch (error) {
      await rm(tmp, { force: true })
      throw error
    }
  }

  /** Creates an image record (queued, no data yet): what the compute API does before a snapshot. */
  async create(fields: { name: string; [property: string]: unknown }): Promise<ImageInfo> {
    const created = await this.#request('POST', '/v2/images', {
      body: JSON.stringify(fields),
      contentType: 'application/json',
    })
    await this.#expect(created, [201])
    return (await created.json()) as ImageInfo
  }

  /**
   * Uploads the data of a queued image (nova-compute's half of a snapshot), first setting its formats when
   * given (Glance takes data only once they are known); returns the active image.
   */
  async uploadData(
    imageId: string,
    data: Readable,
    formats?: { readonly disk_format: string; readonly container_format: string },
  ): Promise<ImageInfo> {
    if (formats !== undefined) {
      const patched = await this.#request('PATCH', `/v2/images/${imageId}`, {
        body: JSON.stringify([
          { op: 'replace', path: '/disk_format', value: formats.disk_format },
          { op: 'replace', path: '/container_format', value: formats.container_format },
        ]),
        contentType: 'application/openstack-images-v2.1-json-patch',
      })
      await this.#expect(patched, [200], imageId)
    }
    const put = await this.#request('PUT', `/v2/images/${imageId}/file`, {
      body: Readable.toWeb(data) as NonNullable<RequestInit['body']>,
      contentType: 'application/octet-stream',
      duplex: true,
    })
    await this.#expect(put, [204], imageId)
    return await this.show(imageId)
  }

  /** Creates an image and uploads its data (a snapshot); returns the active image. */
  async upload(
    fields: { name: string; disk_format: string; container_format: string; [property: string]: unknown },
    data: Readable,
  ): Promise<ImageInfo> {
    const created = await this.#request('POST', '/v2/images', {
      body: JSON.stringify(fields),
      contentType: 'application/json',
    })
    await this.#expect(created, [201])
    const { id } = (await created.json()) as ImageInfo
    const put = await this.#request('PUT', `/v2/images/${id}/file`, {
      body: Readable.toWeb(data) as NonNullable<RequestInit['body']>,
      contentType: 'application/octet-stream',
      duplex: true,
    })
    await this.#expect(put, [204], id)
    return await this.show(id)
  }

  /**
   * Lists the images the token sees with Glance v2's query parameters (name, status, property filters, …),
   * following `next` pages until `max` images (default all).
   */
  async list(
    query: Readonly<Record<string, string>> = {},
    max = Number.POSITIVE_INFINITY,
  ): Promise<ImageInfo[]> {
    const images: ImageInfo[] = []
    let url: string | undefined = `/v2/images?${new URLSearchParams(query)}`
    while (url !== undefined && images.length < max) {
      const res = await this.#request('GET', url)
      await this.#expect(res, [200])
      const page = (await res.json()) as { images: ImageInfo[]; next?: string }
      images.push(...page.images)
      url = page.next
    }
    return images.slice(0, max)
  }

  /** Deletes an image: ImageNotFound, or Forbidden when the token may not. */
  async delete(imageId: string): Promise<void> {
    const res = await this.#request('DELETE', `/v2/images/${imageId}`)
    await this.#expect(res, [204], imageId)
  }

  /** Applies a JSON patch (Glance's `openstack-images-v2.1-json-patch`); returns the updated image. */
  async patch(
    imageId: string,
    operations: readonly { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown }[],
  ): Promise<ImageInfo> {
    const res = await this.#request('PATCH', `/v2/images/${imageId}`, {
      body: JSON.stringify(operations),
      contentType: 'application/openstack-images-v2.1-json-patch',
    })
    await this.#expect(res, [200], imageId)
    return (await res.json()) as ImageInfo
  }
}
