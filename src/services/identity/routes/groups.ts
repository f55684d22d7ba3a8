import type { FastifyInstance } from 'fastify'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import { authorize, bodyObject, optionalString, requiredString } from '../request-auth.js'
import type { Group } from '../store/groups.js'
import { collection, userView } from '../views.js'

export function registerGroupRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { groups } = deps
  const view = (g: Group) => ({
    id: g.id,
    name: g.name,
    domain_id: g.domainId,
    description: g.description,
    links: { self: `${base}/v3/groups/${g.id}` },
  })
  type P = { id: string; user: string }

  app.get('/v3/groups', async (request) => {
    authorize(request, 'identity:list_groups')
    const q = request.query as { name?: string; domain_id?: string }
    const list = await groups.list({
      ...(q.name === undefined ? {} : { name: q.name }),
      ...(q.domain_id === undefined ? {} : { domainId: q.domain_id }),
    })
    return collection(base, '/v3/groups', 'groups', list.map(view))
  })
  app.post('/v3/groups', async (request, reply) => {
    authorize(request, 'identity:create_group')
    const g = bodyObject(request.body, 'group')
    const domainId = optionalString(g, 'domain_id') ?? deps.settings.defaultDomainId
    await deps.projects.getDomain(domainId)
    const group = await groups.create({
      name: requiredString(g, 'name', 64),
      domainId,
      description: optionalString(g, 'description') ?? '',
    })
    return reply.status(201).send({ group: view(group) })
  })
  app.get('/v3/groups/:id', async (request) => {
    authorize(request, 'identity:get_group')
    return { group: view(await groups.get((request.params as P).id)) }
  })
  app.patch('/v3/groups/:id', async (request) => {
    authorize(request, 'identity:update_group')
    const g = bodyObject(request.body, 'group')
    const name = optionalString(g, 'name')
    const description = optionalString(g, 'description')
    const updated = await groups.update((request.params as P).id, {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
    })
    return { group: view(updated) }
  })
  app.delete('/v3/groups/:id', async (request, reply) => {
    authorize(request, 'identity:delete_group')
    const { id } = request.params as P
    const members = await groups.members(id)
    await groups.delete(id)
    const now = new Date()
    for (const userId of members) await deps.revocationCache.revoke({ userId, issuedBefore: now })
    return reply.status(204).send()
  })
  app.get('/v3/groups/:id/users', async (request) => {
    authorize(request, 'identity:list_users_in_group')
    const { id } = request.params as P
    await groups.get(id)
    const users = await deps.users.list({ ids: await groups.members(id) })
    return collection(
      base,
      `/v3/groups/${id}/users`,
      'users',
      users.map((u) => userView(base, u)),
    )
  })
  app.put('/v3/groups/:id/users/:user', async (request, reply) => {
    authorize(request, 'identity:add_user_to_group')
    const { id, user } = request.params as P
    await groups.get(id)
    await deps.users.get(user)
    await groups.addMember(id, user)
    return reply.status(204).send()
  })
  app.head('/v3/groups/:id/users/:user', async (request, reply) => {
    authorize(request, 'identity:check_user_in_group')
    const { id, user } = request.params as P
    await groups.get(id)
    if (!(await groups.hasMember(id, user)))
      throw new IdentityEntityNotFound({ entity: 'user in group', id: user })
    return reply.status(204).send()
  })
  app.get('/v3/groups/:id/users/:user', async (request, reply) => {
    authorize(request, 'identity:check_user_in_group')
    const { id, user } = request.params as P
    await groups.get(id)
    if (!(await groups.hasMember(id, user)))
      throw new IdentityEntityNotFound({ entity: 'user in group', id: user })
    return reply.status(204).send()
  })
  app.delete('/v3/groups/:id/users/:user', async (request, reply) => {
    authorize(request, 'identity:remove_user_from_group')
    const { id, user } = request.params as P
    await groups.get(id)
    if (!(await groups.removeMember(id, user)))
      throw new IdentityEntityNotFound({ entity: 'user in group', id: user })
    await deps.revocationCache.revoke({ userId: user, issuedBefore: new Date() })
    return reply.status(204).send()
  })
  app.get('/v3/users/:user/groups', async (request) => {
    const { user } = request.params as P
    authorize(request, 'identity:list_groups_for_user', { target: { user: { id: user } } })
    await deps.users.get(user)
    const list = await groups.list({ ids: await deps.roles.groupsOf(user) })
    return collection(base, `/v3/users/${user}/groups`, 'groups', list.map(view))
  })
}
