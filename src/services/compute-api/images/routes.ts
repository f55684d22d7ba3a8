import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Forbidden, ImageNotFound } from '../../../common/errors/index.js'
import type { ImageClient, ImageInfo } from '../../image/client.js'
import { ApiFault, badRequest } from '../faults.js'
import { requireVersion } from '../microversion.js'
import { callerOf, collectionLinks, pageOf, paginate, param, queryOf } from '../request.js'
import { route, type ComputeApiDeps } from '../routing.js'
import { validate, type Schema } from '../validation.js'
import { basicImageView, imageView, propertiesOf, type ImageViewSettings } from './view.js'

/** What the images proxy needs: the image service reached with the caller's token. */
export interface ImageProxyDeps {
  /** An image service client acting with `token` (the caller's X-Auth-Token). */
  readonly client: (token: string) => ImageClient
  /** Base of the images' `alternate` links (`[api] glance_link_prefix`, else the image endpoint). */
  readonly glanceBase: string
  /** `[quota] metadata_items`: the most properties an image may get through the API (-1: unlimited). */
  readonly metadataItems: number
}

const metadataSchema: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
}
const metadataBody: Schema = {
  type: 'object',
  properties: { metadata: metadataSchema },
  required: ['metadata'],
  additionalProperties: false,
}
const metaBody: Schema = {
  type: 'object',
  properties: { meta: { ...metadataSchema, minProperties: 1, maxProperties: 1 } },
  required: ['meta'],
  additionalProperties: false,
}

/** Nova's images controller filters, as Glance v2 query parameters (the rest is filtered here). */
const GLANCE_FILTERS: Readonly<Record<string, string>> = {
  name: 'name',
  status: 'status',
  server: 'instance_uuid',
  type: 'image_type',
}

/**
 * The deprecated images proxy (2.1–2.35) and image metadata (2.1–2.38), forwarded to the image service with the
 * caller's token: no policy of Nova's own, Glance decides who sees and changes what.
 */
export function registerImageProxyRoutes(
  app: FastifyInstance,
  deps: ComputeApiDeps,
  images: ImageProxyDeps,
): void {
  const settings: ImageViewSettings = { ...deps.settings, glanceBase: images.glanceBase }

  const clientOf = (request: FastifyRequest): ImageClient => {
    callerOf(request)
    const token = request.headers['x-auth-token']
    return images.client(typeof token === 'string' ? token : '')
  }
  const idOf = (request: FastifyRequest): string => (request.params as { image_id: string }).image_id

  /** Glance's refusals as Nova words them. */
  async function glance<T>(work: () => Promise<T>, notFound = 'Image not found.'): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof ImageNotFound) throw new ApiFault(404, notFound)
      if (error instanceof Forbidden) throw new ApiFault(403, error.message)
      throw error
    }
  }

  async function list(request: FastifyRequest, detail: boolean) {
    requireVersion(request, 1, 35)
    const client = clientOf(request)
    const page = pageOf(request, settings)
    const query: Record<string, string> = {}
    for (const [key, value] of Object.entries(queryOf(request))) {
      const v = Array.isArray(value) ? value[0]! : value
      if (GLANCE_FILTERS[key] !== undefined)
        query[GLANCE_FILTERS[key]] = key === 'status' ? v.toLowerCase() : v.replace(/^.*\/servers\//, '')
      else if (key.startsWith('property-')) query[key.slice('property-'.length)] = v
    }
    const since = param(request, 'changes-since')
    const sinceDate = since === undefined ? undefined : new Date(since)
    if (sinceDate !== undefined && Number.isNaN(sinceDate.getTime()))
      throw badRequest(`Invalid changes-since value`)
    const minRam = Number(param(request, 'minRam') ?? 0) || 0
    const minDisk = Number(param(request, 'minDisk') ?? 0) || 0
    const all = (await glance(() => client.list(query))).filter(
      (i) =>
        (sinceDate === undefined || new Date(String(i.updated_at)) >= sinceDate) &&
        Number(i.min_ram ?? 0) >= minRam &&
        Number(i.min_disk ?? 0) >= minDisk,
    )
    const shown = paginate(all, page, (i) => i.id)
    const links = collectionLinks(
      request,
      settings,
      shown,
      page,
      detail ? 'images/detail' : 'images',
      shown.at(-1)?.id,
    )
    return {
      images: shown.map((i) =>
        detail ? imageView(request, settings, i) : basicImageView(request, settings, i),
      ),
      ...(links === undefined ? {} : { images_links: links }),
    }
  }

  route(app, 'GET', '/images', (request) => list(request, false))
  route(app, 'GET', '/images/detail', (request) => list(request, true))

  route(app, 'GET', '/images/:image_id', async (request) => {
    requireVersion(request, 1, 35)
    const client = clientOf(request)
    return { image: imageView(request, settings, await glance(() => client.show(idOf(request)))) }
  })

  route(app, 'DELETE', '/images/:image_id', async (request, reply) => {
    requireVersion(request, 1, 35)
    const client = clientOf(request)
    await glance(() => client.delete(idOf(request)))
    reply.code(204)
    return ''
  })

  // ---- image metadata (2.1–2.38) ----------------------------------------------------------------------------

  const load = async (request: FastifyRequest): Promise<{ client: ImageClient; image: ImageInfo }> => {
    requireVersion(request, 1, 38)
    const client = clientOf(request)
    return { client, image: await glance(() => client.show(idOf(request))) }
  }

  /** Nova's check_img_metadata_properties_quota. */
  const checkQuota = (properties: Readonly<Record<string, string>>): void => {
    const count = Object.keys(properties).length
    if (images.metadataItems >= 0 && count > images.metadataItems)
      throw new ApiFault(403, 'Image metadata limit exceeded')
    for (const key of Object.keys(properties)) {
      if (key.length === 0) throw badRequest('Image metadata key cannot be blank')
      if (key.length > 255) throw badRequest('Image metadata key too long')
    }
  }

  /** Replaces the image's properties by `next` (Nova's update with purge_props) and returns the new ones. */
  async function replaceProperties(
    client: ImageClient,
    image: ImageInfo,
    next: Readonly<Record<string, string>>,
  ): Promise<Record<string, string>> {
    checkQuota(next)
    const current = propertiesOf(image)
    const ops: { op: 'add' | 'replace' | 'remove'; path: string; value?: string }[] = []
    const pointer = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
    for (const key of Object.keys(current)) if (!(key in next)) ops.push({ op: 'remove', path: pointer(key) })
    for (const [key, value] of Object.entries(next))
      if (current[key] !== value)
        ops.push({ op: key in current ? 'replace' : 'add', path: pointer(key), value })
    if (ops.length === 0) return current
    return propertiesOf(await glance(() => client.patch(image.id, ops)))
  }

  route(app, 'GET', '/images/:image_id/metadata', async (request) => {
    const { image } = await load(request)
    return { metadata: propertiesOf(image) }
  })

  route(app, 'POST', '/images/:image_id/metadata', async (request) => {
    validate(metadataBody, request.body)
    const { client, image } = await load(request)
    const body = (request.body as { metadata: Record<string, string> }).metadata
    return { metadata: await replaceProperties(client, image, { ...propertiesOf(image), ...body }) }
  })

  route(app, 'PUT', '/images/:image_id/metadata', async (request) => {
    validate(metadataBody, request.body)
    const { client, image } = await load(request)
    const body = (request.body as { metadata: Record<string, string> }).metadata
    await replaceProperties(client, image, body)
    return { metadata: body }
  })

  const keyOf = (request: FastifyRequest): string => (request.params as { key: string }).key

  route(app, 'GET', '/images/:image_id/metadata/:key', async (request) => {
    const { image } = await load(request)
    const key = keyOf(request)
    const properties = propertiesOf(image)
    if (!(key in properties)) throw new ApiFault(404, 'The resource could not be found.')
    return { meta: { [key]: properties[key] } }
  })

  route(app, 'PUT', '/images/:image_id/metadata/:key', async (request) => {
    validate(metaBody, request.body)
    const key = keyOf(request)
    const meta = (request.body as { meta: Record<string, string> }).meta
    if (!(key in meta)) throw badRequest('Request body and URI mismatch')
    const { client, image } = await load(request)
    await replaceProperties(client, image, { ...propertiesOf(image), [key]: meta[key]! })
    return { meta }
  })

  route(app, 'DELETE', '/images/:image_id/metadata/:key', async (request, reply) => {
    const { client, image } = await load(request)
    const key = keyOf(request)
    const properties = propertiesOf(image)
    if (!(key in properties)) throw new ApiFault(404, 'Invalid metadata key')
    delete properties[key]
    await replaceProperties(client, image, properties)
    reply.code(204)
    return ''
  })
}
