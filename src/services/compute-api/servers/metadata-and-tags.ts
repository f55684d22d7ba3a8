import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { InstanceRecord } from '../../../db/repositories/instances.js'
import { ApiFault, badRequest } from '../faults.js'
import { atLeast } from '../microversion.js'
import { route } from '../routing.js'
import { validate, type Schema } from '../validation.js'
import type { ServerDeps } from './deps.js'

const METADATA: Schema = {
  type: 'object',
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: 'string', maxLength: 255 } },
  additionalProperties: false,
}
const MAX_TAGS = 50
const TAG = /^[^,/]{1,60}$/

/**
 * `/servers/{id}/metadata[/{key}]` (what `openstack server set --property` writes) and, from 2.26,
 * `/servers/{id}/tags[/{tag}]`, with Nova's bodies and codes.
 */
export function registerMetadataAndTagRoutes(
  app: FastifyInstance,
  servers: ServerDeps,
  load: (request: FastifyRequest, id: string) => Promise<InstanceRecord>,
): void {
  const ids = (request: FastifyRequest) => request.params as { server_id: string; key?: string; tag?: string }
  const metadataOf = async (id: string) => ({ metadata: { ...(await servers.instances.get(id))!.metadata } })
  const write = async (request: FastifyRequest, replace: boolean) => {
    const { server_id: id } = ids(request)
    await load(request, id)
    validate(
      {
        type: 'object',
        properties: { metadata: METADATA },
        required: ['metadata'],
        additionalProperties: false,
      },
      request.body,
    )
    await servers.instances.setMetadata(
      id,
      (request.body as { metadata: Record<string, string> }).metadata,
      replace,
    )
    return metadataOf(id)
  }

  route(app, 'GET', '/servers/:server_id/metadata', async (request) => {
    const { server_id: id } = ids(request)
    return { metadata: { ...(await load(request, id)).metadata } }
  })
  route(app, 'POST', '/servers/:server_id/metadata', (request) => write(request, false))
  route(app, 'PUT', '/servers/:server_id/metadata', (request) => write(request, true))
  route(app, 'GET', '/servers/:server_id/metadata/:key', async (request) => {
    const { server_id: id, key } = ids(request)
    const value = (await load(request, id)).metadata[key!]
    if (value === undefined) throw new ApiFault(404, 'Metadata item was not found')
    return { meta: { [key!]: value } }
  })
  route(app, 'PUT', '/servers/:server_id/metadata/:key', async (request) => {
    const { server_id: id, key } = ids(request)
    await load(request, id)
    validate(
      {
        type: 'object',
        properties: { meta: { ...METADATA, minProperties: 1, maxProperties: 1 } },
        required: ['meta'],
        additionalProperties: false,
      },
      request.body,
    )
    const meta = (request.body as { meta: Record<string, string> }).meta
    if (!(key! in meta)) throw badRequest('Request body and URI mismatch')
    await servers.instances.setMetadata(id, meta, false)
    return { meta }
  })
  route(app, 'DELETE', '/servers/:server_id/metadata/:key', async (request, reply) => {
    const { server_id: id, key } = ids(request)
    await load(request, id)
    if (!(await servers.instances.deleteMetadataKey(id, key!)))
      throw new ApiFault(404, 'Metadata item was not found')
    reply.code(204)
    return ''
  })

  const requireTags = (request: FastifyRequest) => {
    if (!atLeast(request, 26)) throw new ApiFault(404, 'The resource could not be found.')
  }
  const checkTag = (tag: string) => {
    if (!TAG.test(tag))
      throw badRequest(`Tag '${tag}' is invalid: it must be 1 to 60 characters without '/' or ','.`)
  }
  route(app, 'GET', '/servers/:server_id/tags', async (request) => {
    requireTags(request)
    return { tags: [...(await load(request, ids(request).server_id)).tags] }
  })
  route(app, 'PUT', '/servers/:server_id/tags', async (request) => {
    requireTags(request)
    const { server_id: id } = ids(request)
    await load(request, id)
    validate(
      {
        type: 'object',
        properties: { tags: { type: 'array' } },
        required: ['tags'],
        additionalProperties: false,
      },
      request.body,
    )
    const tags = (request.body as { tags: unknown[] }).tags
    if (tags.length > MAX_TAGS)
      throw badRequest(`The number of tags exceeded the per-server limit ${MAX_TAGS}`)
    for (const tag of tags) {
      if (typeof tag !== 'string')
        throw badRequest(`Invalid input for field/attribute tags. Value: ${String(tag)}.`)
      checkTag(tag)
    }
    await servers.instances.setTags(id, tags as string[])
    return { tags: [...new Set(tags as string[])].sort() }
  })
  route(app, 'DELETE', '/servers/:server_id/tags', async (request, reply) => {
    requireTags(request)
    const { server_id: id } = ids(request)
    await load(request, id)
    await servers.instances.setTags(id, [])
    reply.code(204)
    return ''
  })
  route(app, 'GET', '/servers/:server_id/tags/:tag', async (request, reply) => {
    requireTags(request)
    const { server_id: id, tag } = ids(request)
    if (!(await load(request, id)).tags.includes(tag!))
      throw new ApiFault(404, `Tag ${tag} could not be found on instance ${id}.`)
    reply.code(204)
    return ''
  })
  route(app, 'PUT', '/servers/:server_id/tags/:tag', async (request, reply) => {
    requireTags(request)
    const { server_id: id, tag } = ids(request)
    checkTag(tag!)
    const current = (await load(request, id)).tags
    if (current.includes(tag!)) {
      reply.code(204)
      return ''
    }
    if (current.length >= MAX_TAGS)
      throw badRequest(`The number of tags exceeded the per-server limit ${MAX_TAGS}`)
    await servers.instances.setTags(id, [...current, tag!])
    reply.code(201).header('location', `${request.url.replace(/\?.*/, '')}`)
    return ''
  })
  route(app, 'DELETE', '/servers/:server_id/tags/:tag', async (request, reply) => {
    requireTags(request)
    const { server_id: id, tag } = ids(request)
    const current = (await load(request, id)).tags
    if (!current.includes(tag!)) throw new ApiFault(404, `Tag ${tag} could not be found on instance ${id}.`)
    await servers.instances.setTags(
      id,
      current.filter((t) => t !== tag),
    )
    reply.code(204)
    return ''
  })
}
