import type { FastifyInstance } from 'fastify'
import type { Readable } from 'node:stream'
import { Conflict, Invalid, OverLimit } from '../../../common/errors/index.js'
import { callerOf, ownedImage } from '../access.js'
import type { ImageDeps } from '../image-deps.js'
import { storeImageData } from '../store-data.js'

/** Interoperable image import: stage the data, then import it with `glance-direct`; and the info endpoints. */
export function registerImportRoutes(app: FastifyInstance, deps: ImageDeps): void {
  const { images, staging } = deps

  app.get('/v2/info/import', async () => ({
    'import-methods': {
      description:
        'Import methods available. web-download is not offered: this cloud does not fetch images from other hosts.',
      type: 'array',
      value: ['glance-direct'],
    },
  }))
  app.get('/v2/info/stores', async () => ({
    stores: [{ id: 'file', default: true, description: 'Image data as files on the image service host.' }],
  }))

  app.put('/v2/images/:id/stage', { bodyLimit: Number.MAX_SAFE_INTEGER }, async (request, reply) => {
    const image = await ownedImage(
      images,
      (request.params as { id: string }).id,
      callerOf(request),
      'stage data for',
    )
    if (!(await images.update(image.id, { status: 'uploading' }, ['queued'])))
      throw new Conflict(`Image status transition from ${image.status} to uploading is not allowed`)
    const body = request.body as Readable | undefined
    try {
      if (body === undefined || typeof body.pipe !== 'function')
        throw new Invalid('Staged data must be sent as application/octet-stream.')
      await staging.write(image.id, body, {
        maxBytes: deps.limits.maxImageBytes,
        accept: async () => undefined,
      })
    } catch (error) {
      await images.update(image.id, { status: 'queued' }, ['uploading']).catch(() => undefined)
      if (error instanceof OverLimit || error instanceof Invalid) throw error
      throw new Invalid(`Staging data for image ${image.id} did not complete.`)
    }
    return reply.status(204).send()
  })

  app.post('/v2/images/:id/import', async (request, reply) => {
    const image = await ownedImage(images, (request.params as { id: string }).id, callerOf(request), 'import')
    const method = (request.body as { method?: { name?: unknown } } | undefined)?.method?.name
    if (method === 'web-download')
      throw new Invalid(
        'Import method web-download is not available: this cloud does not fetch images from other hosts.',
      )
    if (method !== 'glance-direct') throw new Invalid(`Unknown import method ${String(method)}.`)
    if (image.diskFormat === null || image.containerFormat === null)
      throw new Conflict('disk_format and container_format must be set before importing.')
    if (!(await images.update(image.id, { status: 'importing' }, ['uploading'])))
      throw new Conflict(`Image ${image.id} has no staged data (status ${image.status}).`)
    try {
      await storeImageData(deps, image, staging.read(image.id), 'importing', deps.limits.maxImageBytes)
    } finally {
      await staging.remove(image.id)
    }
    return reply.status(202).send()
  })
}
