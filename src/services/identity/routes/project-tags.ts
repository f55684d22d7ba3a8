import type { FastifyInstance } from 'fastify'
import { IdentityEntityNotFound, IdentityValidationError } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import { authorize } from '../request-auth.js'

const MAX_TAGS = 80

function checkTag(tag: string): string {
  const t = decodeURIComponent(tag)
  if (t === '' || t.length > 255 || t.includes(',') || t.includes('/')) {
    throw new IdentityValidationError({ detail: 'a tag is 1 to 255 characters without commas or slashes' })
  }
  return t
}

/** Project tags (`/v3/projects/{id}/tags`), Keystone's tag API. */
export function registerProjectTagRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const { projects } = deps
  type P = { id: string; tag: string }
  const target = (id: string) => ({ target: { project: { id } } })

  app.get('/v3/projects/:id/tags', async (request) => {
    const { id } = request.params as P
    authorize(request, 'identity:get_project', target(id))
    return { tags: (await projects.getProject(id)).tags }
  })
  app.put('/v3/projects/:id/tags', async (request) => {
    const { id } = request.params as P
    authorize(request, 'identity:update_project', target(id))
    const tags = (request.body as { tags?: unknown } | undefined)?.tags
    if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
      throw new IdentityValidationError({ detail: 'the body must be {"tags": [...]}' })
    if (tags.length > MAX_TAGS) throw new IdentityValidationError({ detail: `at most ${MAX_TAGS} tags` })
    const clean = [...new Set((tags as string[]).map(checkTag))]
    return { tags: (await projects.updateProject(id, { tags: clean })).tags }
  })
  app.delete('/v3/projects/:id/tags', async (request, reply) => {
    const { id } = request.params as P
    authorize(request, 'identity:update_project', target(id))
    await projects.updateProject(id, { tags: [] })
    return reply.status(204).send()
  })
  app.get('/v3/projects/:id/tags/:tag', async (request, reply) => {
    const { id, tag } = request.params as P
    authorize(request, 'identity:get_project', target(id))
    if (!(await projects.getProject(id)).tags.includes(checkTag(tag)))
      throw new IdentityEntityNotFound({ entity: 'tag', id: tag })
    return reply.status(204).send()
  })
  app.put('/v3/projects/:id/tags/:tag', async (request, reply) => {
    const { id, tag } = request.params as P
    authorize(request, 'identity:update_project', target(id))
    const current = await projects.getProject(id)
    const t = checkTag(tag)
    if (!current.tags.includes(t)) {
      if (current.tags.length >= MAX_TAGS)
        throw new IdentityValidationError({ detail: `at most ${MAX_TAGS} tags` })
      await projects.updateProject(id, { tags: [...current.tags, t] })
    }
    return reply.status(201).send()
  })
  app.delete('/v3/projects/:id/tags/:tag', async (request, reply) => {
    const { id, tag } = request.params as P
    authorize(request, 'identity:update_project', target(id))
    const current = await projects.getProject(id)
    const t = checkTag(tag)
    if (!current.tags.includes(t)) throw new IdentityEntityNotFound({ entity: 'tag', id: t })
    await projects.updateProject(id, { tags: current.tags.filter((x) => x !== t) })
    return reply.status(204).send()
  })
}
