import type { FastifyInstance } from 'fastify'
import type { Readable } from 'node:stream'
import { Conflict, Forbidden, Invalid, NotFound, OverLimit } from '../../../common/errors/index.js'
import { callerOf, isAdmin, ownedImage, visibleImage } from '../access.js'
import type { ImageDeps } from '../image-deps.js'
import { storeImageData } from '../store-data.js'

/** Image data: `PUT /v2/images/{id}/file` (streamed to the store) and `GET` (streamed back, with Range). */
export function registerDataRoutes(app: FastifyInstance, deps: ImageDeps): void {
  const { images, store } = deps
  // Data arrives as a stream and is never buffered in memory.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload))

  app.put('/v2/images/:id/file', { bodyLimit: Number.MAX_SAFE_INTEGER }, async (request, reply) => {
    const caller = callerOf(request)
    const image = await ownedImage(images, (request.params as { id: string }).id, caller, 'upload data to')
    if (image.diskFormat === null || image.containerFormat === null)
      throw new Invalid('Properties disk_format and container_format must be set prior to saving data.')
    if (!(await images.update(image.id, { status: 'saving' }, ['queued'])))
      throw new Conflict(`Image status transition from ${image.status} to saving is not allowed`)
    const body = request.body as Readable | undefined
    if (body === undefined || typeof (body as Readable).pipe !== 'function') {
      await images.update(image.id, { status: 'queued' })
      throw new Invalid('Image data must be sent as application/octet-stream.')
    }
    const usage = image.owner === null || isAdmin(caller) ? { bytes: 0 } : await images.usage(image.owner)
    const maxBytes = Math.min(
      deps.limits.maxImageBytes,
      Math.max(0, deps.limits.bytesPerProject - usage.bytes),
    )
    try {
      await storeImageData(deps, image, body, 'saving', maxBytes)
    } catch (error) {
      if (error instanceof OverLimit || error instanceof Invalid || error instanceof Conflict) throw error
      request.log.warn({ err: error, image_id: image.id }, 'image upload failed')
      throw new Invalid(`The upload of image ${image.id} did not complete.`)
    }
    return reply.status(204).send()
  })

  app.get('/v2/images/:id/file', async (request, reply) => {
    const caller = callerOf(request)
    const image = await visibleImage(images, (request.params as { id: string }).id, caller)
    if (image.status === 'deactivated' && !isAdmin(caller))
      throw new Forbidden('The requested image has been deactivated. Image data download is forbidden.')
    if (image.status !== 'active' && image.status !== 'deactivated') return reply.status(204).send()
    const size = await store.size(image.id)
    if (size === undefined) throw new NotFound(`Image ${image.id} has no data.`)
    reply.header('content-type', 'application/octet-stream')
    if (image.checksum !== null) reply.header('content-md5', image.checksum)
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(request.headers.range ?? ''))
    if (range !== null && (range[1] !== '' || range[2] !== '')) {
      const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1])
      const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1)
      if (start > end || start >= size)
        return reply.status(416).header('content-range', `bytes */${size}`).send()
      reply.header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', end - start + 1)
      return reply.status(206).send(store.read(image.id, { start, end }))
    }
    reply.header('content-length', size)
    return reply.send(store.read(image.id))
  })
}
