import type { FastifyInstance } from 'fastify'
import { AuthenticationFailed } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import { hashPassword, verifyPassword } from '../password.js'
import {
  bodyObject,
  optionalBool,
  optionalString,
  queryFlag,
  authorize,
  requiredString,
} from '../request-auth.js'
import { collection, projectView, userView } from '../views.js'

const KNOWN = new Set([
  'name',
  'domain_id',
  'enabled',
  'default_project_id',
  'password',
  'id',
  'links',
  'options',
  'password_expires_at',
])

/** Attributes Keystone keeps as given (email, description, …). */
function extraOf(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !KNOWN.has(k)))
}

export function registerUserRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { users } = deps
  const rounds = deps.settings.passwordHashRounds

  app.get('/v3/users', async (request) => {
    authorize(request, 'identity:list_users')
    const q = request.query as Record<string, string | undefined>
    const list = await users.list({
      ...(q.name === undefined ? {} : { name: q.name }),
      ...(q.domain_id === undefined ? {} : { domainId: q.domain_id }),
      ...(queryFlag(q.enabled) === undefined ? {} : { enabled: queryFlag(q.enabled)! }),
    })
    return collection(
      base,
      '/v3/users',
      'users',
      list.map((u) => userView(base, u)),
    )
  })

  app.get('/v3/users/:id', async (request) => {
    const { id } = request.params as { id: string }
    authorize(request, 'identity:get_user', { target: { user: { id } } })
    return { user: userView(base, await users.get(id)) }
  })

  app.post('/v3/users', async (request, reply) => {
    authorize(request, 'identity:create_user')
    const u = bodyObject(request.body, 'user')
    const domainId = optionalString(u, 'domain_id') ?? deps.settings.defaultDomainId
    await deps.projects.getDomain(domainId)
    const password = optionalString(u, 'password')
    const defaultProjectId = optionalString(u, 'default_project_id')
    const user = await users.create({
      name: requiredString(u, 'name'),
      domainId,
      enabled: optionalBool(u, 'enabled') ?? true,
      ...(defaultProjectId === undefined ? {} : { defaultProjectId }),
      ...(password === undefined ? {} : { passwordHash: await hashPassword(password, rounds) }),
      extra: extraOf(u),
    })
    return reply.status(201).send({ user: userView(base, user) })
  })

  app.patch('/v3/users/:id', async (request) => {
    authorize(request, 'identity:update_user')
    const { id } = request.params as { id: string }
    const u = bodyObject(request.body, 'user')
    const password = optionalString(u, 'password')
    const enabled = optionalBool(u, 'enabled')
    const name = optionalString(u, 'name')
    const defaultProjectId = optionalString(u, 'default_project_id')
    const updated = await users.update(id, {
      ...(name === undefined ? {} : { name }),
      ...(enabled === undefined ? {} : { enabled }),
      ...(defaultProjectId === undefined ? {} : { defaultProjectId }),
      ...(password === undefined ? {} : { passwordHash: await hashPassword(password, rounds) }),
      extra: extraOf(u),
    })
    if (enabled === false || password !== undefined)
      await deps.revocationCache.revoke({ userId: id, issuedBefore: new Date() })
    return { user: userView(base, updated) }
  })

  app.post('/v3/users/:id/password', async (request, reply) => {
    const { id } = request.params as { id: string }
    authorize(request, 'identity:change_password', { target: { user: { id } } })
    const u = bodyObject(request.body, 'user')
    const current = await users.getCredentials(id)
    if (!(await verifyPassword(optionalString(u, 'original_password') ?? '', current.passwordHash)))
      throw new AuthenticationFailed({})
    await users.update(id, { passwordHash: await hashPassword(requiredString(u, 'password'), rounds) })
    await deps.revocationCache.revoke({ userId: id, issuedBefore: new Date() })
    return reply.status(204).send()
  })

  app.delete('/v3/users/:id', async (request, reply) => {
    authorize(request, 'identity:delete_user')
    const { id } = request.params as { id: string }
    await users.delete(id)
    await deps.roles.deleteAssignmentsOf('actor_id', id)
    await deps.revocationCache.revoke({ userId: id, issuedBefore: new Date() })
    return reply.status(204).send()
  })

  app.get('/v3/users/:id/projects', async (request) => {
    const { id } = request.params as { id: string }
    authorize(request, 'identity:list_user_projects', { target: { user: { id } } })
    const groups = await deps.roles.groupsOf(id)
    const assignments = await deps.roles.listAssignments({
      actorIds: [id, ...groups],
      types: ['UserProject', 'GroupProject'],
    })
    const list = await deps.projects.listProjects({ ids: [...new Set(assignments.map((a) => a.targetId))] })
    return collection(
      base,
      `/v3/users/${id}/projects`,
      'projects',
      list.map((p) => projectView(base, p)),
    )
  })
}
