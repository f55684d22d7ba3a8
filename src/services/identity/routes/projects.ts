import type { FastifyInstance } from 'fastify'
import { IdentityValidationError } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import {
  bodyObject,
  optionalBool,
  optionalString,
  queryFlag,
  authorize,
  requiredString,
} from '../request-auth.js'
import { collection, domainView, projectView } from '../views.js'

type Query = Record<string, string | undefined>

function tags(o: Record<string, unknown>): string[] | undefined {
  const v = o.tags
  if (v === undefined) return undefined
  if (
    !Array.isArray(v) ||
    !v.every((t) => typeof t === 'string' && t.length <= 255 && !t.includes(',') && !t.includes('/'))
  ) {
    throw new IdentityValidationError({ detail: 'tags must be a list of strings without commas or slashes' })
  }
  return v as string[]
}

export function registerProjectRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { projects, roles } = deps

  app.get('/v3/domains', async (request) => {
    authorize(request, 'identity:list_domains')
    const q = request.query as Query
    const list = await projects.listDomains({
      ...(q.name === undefined ? {} : { name: q.name }),
      ...(queryFlag(q.enabled) === undefined ? {} : { enabled: queryFlag(q.enabled)! }),
    })
    return collection(
      base,
      '/v3/domains',
      'domains',
      list.map((d) => domainView(base, d)),
    )
  })
  app.get('/v3/domains/:id', async (request) => {
    const { id } = request.params as { id: string }
    authorize(request, 'identity:get_domain', { target: { domain: { id } } })
    return { domain: domainView(base, await projects.getDomain(id)) }
  })
  app.post('/v3/domains', async (request, reply) => {
    authorize(request, 'identity:create_domain')
    const d = bodyObject(request.body, 'domain')
    const domain = await projects.createDomain({
      name: requiredString(d, 'name', 64),
      description: optionalString(d, 'description') ?? '',
      enabled: optionalBool(d, 'enabled') ?? true,
    })
    return reply.status(201).send({ domain: domainView(base, domain) })
  })

  app.get('/v3/projects', async (request) => {
    authorize(request, 'identity:list_projects')
    const q = request.query as Query
    const list = await projects.listProjects({
      ...(q.name === undefined ? {} : { name: q.name }),
      ...(q.domain_id === undefined ? {} : { domainId: q.domain_id }),
      ...(q.parent_id === undefined ? {} : { parentId: q.parent_id }),
      ...(queryFlag(q.enabled) === undefined ? {} : { enabled: queryFlag(q.enabled)! }),
    })
    const visible = list
    return collection(
      base,
      '/v3/projects',
      'projects',
      visible.map((p) => projectView(base, p)),
    )
  })

  app.get('/v3/projects/:id', async (request) => {
    const { id } = request.params as { id: string }
    authorize(request, 'identity:get_project', { target: { project: { id } } })
    return { project: projectView(base, await projects.getProject(id)) }
  })

  app.post('/v3/projects', async (request, reply) => {
    authorize(request, 'identity:create_project')
    const p = bodyObject(request.body, 'project')
    if (p.is_domain === true)
      throw new IdentityValidationError({
        detail: 'projects acting as domains are not supported; create a domain',
      })
    const domainId = optionalString(p, 'domain_id') ?? deps.settings.defaultDomainId
    await projects.getDomain(domainId)
    const parentId = optionalString(p, 'parent_id')
    if (parentId !== undefined && parentId !== domainId) await projects.getProject(parentId)
    const project = await projects.createProject({
      name: requiredString(p, 'name', 64),
      domainId,
      ...(parentId === undefined || parentId === domainId ? {} : { parentId }),
      description: optionalString(p, 'description') ?? '',
      enabled: optionalBool(p, 'enabled') ?? true,
      tags: tags(p) ?? [],
    })
    return reply.status(201).send({ project: projectView(base, project) })
  })

  app.patch('/v3/projects/:id', async (request) => {
    authorize(request, 'identity:update_project', {
      target: { project: { id: (request.params as { id: string }).id } },
    })
    const { id } = request.params as { id: string }
    const p = bodyObject(request.body, 'project')
    const enabled = optionalBool(p, 'enabled')
    const name = optionalString(p, 'name')
    const newTags = tags(p)
    const description = optionalString(p, 'description')
    const updated = await projects.updateProject(id, {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      ...(enabled === undefined ? {} : { enabled }),
      ...(newTags === undefined ? {} : { tags: newTags }),
    })
    if (enabled === false) await deps.revocationCache.revoke({ projectId: id, issuedBefore: new Date() })
    return { project: projectView(base, updated) }
  })

  app.delete('/v3/projects/:id', async (request, reply) => {
    authorize(request, 'identity:delete_project', {
      target: { project: { id: (request.params as { id: string }).id } },
    })
    const { id } = request.params as { id: string }
    const children = await projects.listProjects({ parentId: id })
    if (children.length > 0)
      throw new IdentityValidationError({ detail: `project ${id} has child projects; delete them first` })
    await projects.deleteProject(id)
    await roles.deleteAssignmentsOf('target_id', id)
    await deps.revocationCache.revoke({ projectId: id, issuedBefore: new Date() })
    return reply.status(204).send()
  })
}
