import type { FastifyInstance } from 'fastify'
import { Conflict, Forbidden, Invalid, NotFound, OverLimit } from '../../../common/errors/index.js'
import { callerOf, isAdmin, ownedImage, visibleImage } from '../access.js'
import type { ImageDeps } from '../image-deps.js'
import { applyPatch, createFields } from '../image-patch.js'
import { SORT_KEYS, type SortKey, type Visibility } from '../store/image-records.js'
import { imageView } from '../views.js'

const KNOWN_QUERY = new Set([
  'limit',
  'marker',
  'visibility',
  'member_status',
  'name',
  'status',
  'owner',
  'tag',
  'disk_format',
  'container_format',
  'size_min',
  'size_max',
  'sort',
  'sort_key',
  'sort_dir',
  'os_hidden',
  'protected',
  'id',
  'created_at',
  'updated_at',
])

function nonNegative(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new Invalid(`${name} must be a non-negative integer`)
  return Number(value)
}

/** Query parameters that are not list options filter on custom properties (Glance's property filters). */
function propertyFilters(q: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(q).filter((e): e is [string, string] => !KNOWN_QUERY.has(e[0]) && e[1] !== undefined),
  )
}

/** `sort=key:dir` (first key) or `sort_key`/`sort_dir`; an unknown key or direction is 400. */
function sortOf(q: Record<string, string | undefined>): { sort?: { key: SortKey; dir: 'asc' | 'desc' } } {
  const [rawKey, rawDir] =
    q.sort !== undefined ? (q.sort.split(',')[0] ?? '').split(':') : [q.sort_key, q.sort_dir]
  if (rawKey === undefined || rawKey === '') return {}
  if (!(SORT_KEYS as readonly string[]).includes(rawKey)) throw new Invalid(`Invalid sort key: ${rawKey}`)
  const dir = rawDir ?? 'desc'
  if (dir !== 'asc' && dir !== 'desc') throw new Invalid(`Invalid sort direction: ${dir}`)
  return { sort: { key: rawKey as SortKey, dir } }
}

export function registerImageRoutes(app: FastifyInstance, deps: ImageDeps): void {
  const { images } = deps

  app.post('/v2/images', async (request, reply) => {
    const caller = callerOf(request)
    const fields = createFields(request.body, isAdmin(caller))
    if (caller.projectId !== undefined && !isAdmin(caller)) {
      const usage = await images.usage(caller.projectId)
      if (usage.count >= deps.limits.imageCountPerProject)
        throw new OverLimit(`The project may hold at most ${deps.limits.imageCountPerProject} images.`)
    }
    if (fields.id !== undefined && (await images.find(fields.id)) !== undefined)
      throw new Conflict(`Image with identifier ${fields.id} already exists!`)
    const image = await images.create({ ...fields, owner: fields.owner ?? caller.projectId ?? null })
    return reply.status(201).header('location', `/v2/images/${image.id}`).send(imageView(image))
  })

  app.get('/v2/images', async (request) => {
    const caller = callerOf(request)
    const q = request.query as Record<string, string | undefined>
    const limit = Math.min(Number(q.limit ?? 25) || 25, 1000)
    if (q.limit !== undefined && (!/^\d+$/.test(q.limit) || Number(q.limit) < 0))
      throw new Invalid('limit param must be a non-negative integer')
    const visibility = q.visibility as Visibility | undefined
    if (visibility !== undefined && !['public', 'private', 'shared', 'community'].includes(visibility))
      throw new Invalid(`Invalid visibility value: ${visibility}`)
    const marker =
      q.marker === undefined
        ? undefined
        : await visibleImage(images, q.marker, caller).catch(() => {
            throw new Invalid(`Invalid marker. Image ${q.marker} could not be found.`)
          })
    const list = await images.list({
      project: caller.projectId,
      admin: isAdmin(caller),
      ...(visibility === undefined ? {} : { visibility }),
      ...(q.member_status === undefined ? {} : { memberStatus: q.member_status }),
      ...(q.name === undefined ? {} : { name: q.name }),
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.owner === undefined ? {} : { owner: q.owner }),
      ...(q.tag === undefined ? {} : { tag: q.tag }),
      ...(q.disk_format === undefined ? {} : { diskFormat: q.disk_format }),
      ...(q.container_format === undefined ? {} : { containerFormat: q.container_format }),
      ...(q.size_min === undefined ? {} : { sizeMin: nonNegative('size_min', q.size_min) }),
      ...(q.size_max === undefined ? {} : { sizeMax: nonNegative('size_max', q.size_max) }),
      properties: propertyFilters(q),
      ...sortOf(q),
      limit,
      ...(marker === undefined ? {} : { marker }),
    })
    const visible = list.filter((i) => q.os_hidden === 'true' || !i.osHidden)
    const body: Record<string, unknown> = {
      images: visible.map(imageView),
      first: '/v2/images',
      schema: '/v2/schemas/images',
    }
    if (list.length === limit && list.length > 0) {
      const params = new URLSearchParams({
        ...Object.fromEntries(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)),
        marker: list.at(-1)!.id,
      })
      body.next = `/v2/images?${params.toString()}`
    }
    return body
  })

  app.get('/v2/images/:id', async (request) =>
    imageView(await visibleImage(images, (request.params as { id: string }).id, callerOf(request))),
  )

  app.patch('/v2/images/:id', async (request) => {
    const caller = callerOf(request)
    const type = String(request.headers['content-type'] ?? '')
    if (
      !type.startsWith('application/openstack-images-v2.1-json-patch') &&
      !type.startsWith('application/openstack-images-v2.0-json-patch')
    ) {
      const error = new Invalid('Invalid media type; use application/openstack-images-v2.1-json-patch')
      Object.assign(error, { status: 415 })
      throw error
    }
    const image = await ownedImage(images, (request.params as { id: string }).id, caller, 'modify')
    await applyPatch(images, image, request.body, isAdmin(caller))
    return imageView(await images.get(image.id))
  })

  app.delete('/v2/images/:id', async (request, reply) => {
    const image = await ownedImage(images, (request.params as { id: string }).id, callerOf(request), 'delete')
    if (image.protected) throw new Forbidden(`Image ${image.id} is protected and cannot be deleted.`)
    await images.remove(image.id)
    await deps.store.remove(image.id)
    return reply.status(204).send()
  })

  for (const [action, from, to] of [
    ['deactivate', ['active', 'deactivated'], 'deactivated'],
    ['reactivate', ['active', 'deactivated'], 'active'],
  ] as const) {
    app.post(`/v2/images/:id/actions/${action}`, async (request, reply) => {
      const caller = callerOf(request)
      const image = await ownedImage(images, (request.params as { id: string }).id, caller, action)
      if (!(await images.update(image.id, { status: to }, from)))
        throw new Conflict(`Not allowed to ${action} an image in status '${image.status}'.`)
      return reply.status(204).send()
    })
  }

  app.put('/v2/images/:id/tags/:tag', async (request, reply) => {
    const { id, tag } = request.params as { id: string; tag: string }
    const image = await ownedImage(images, id, callerOf(request), 'modify')
    if (tag.length > 255) throw new Invalid('A tag is at most 255 characters.')
    if (!image.tags.includes(tag)) await images.setTags(id, [...image.tags, tag])
    return reply.status(204).send()
  })
  app.delete('/v2/images/:id/tags/:tag', async (request, reply) => {
    const { id, tag } = request.params as { id: string; tag: string }
    const image = await ownedImage(images, id, callerOf(request), 'modify')
    if (!image.tags.includes(tag)) throw new NotFound(`Tag ${tag} not found.`)
    await images.setTags(
      id,
      image.tags.filter((t) => t !== tag),
    )
    return reply.status(204).send()
  })
}
