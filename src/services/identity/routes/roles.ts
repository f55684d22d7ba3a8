import type { FastifyInstance, FastifyRequest } from 'fastify'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import type { IdentityDeps } from '../identity-deps.js'
import {
  bodyObject,
  callerOf,
  optionalString,
  queryFlag,
  authorize,
  requiredString,
} from '../request-auth.js'
import { SYSTEM_TARGET, type Assignment, type AssignmentType } from '../store/roles.js'
import { collection, roleView } from '../views.js'

type Params = Record<string, string>

export function registerRoleRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { roles } = deps

  app.get('/v3/roles', async (request) => {
    authorize(request, 'identity:list_roles')
    const q = request.query as Record<string, string | undefined>
    const list = await roles.list(q.name === undefined ? {} : { name: q.name })
    return collection(
      base,
      '/v3/roles',
      'roles',
      list.map((r) => roleView(base, r)),
    )
  })
  app.get('/v3/roles/:id', async (request) => {
    authorize(request, 'identity:get_role')
    return { role: roleView(base, await roles.get((request.params as Params).id!)) }
  })
  app.post('/v3/roles', async (request, reply) => {
    authorize(request, 'identity:create_role')
    const r = bodyObject(request.body, 'role')
    const role = await roles.create({
      name: requiredString(r, 'name'),
      description: optionalString(r, 'description') ?? '',
    })
    return reply.status(201).send({ role: roleView(base, role) })
  })
  app.delete('/v3/roles/:id', async (request, reply) => {
    authorize(request, 'identity:delete_role')
    const { id } = request.params as Params
    const holders = await roles.listAssignments({ roleId: id! })
    await roles.delete(id!)
    const now = new Date()
    for (const a of holders) await deps.revocationCache.revoke({ userId: a.actorId, issuedBefore: now })
    return reply.status(204).send()
  })
  app.put('/v3/roles/:prior/implies/:implied', async (request, reply) => {
    authorize(request, 'identity:create_implied_role')
    const { prior, implied } = request.params as Params
    await roles.get(prior!)
    await roles.get(implied!)
    await roles.addImplied(prior!, implied!)
    return reply.status(201).send({
      role_inference: {
        prior_role: roleView(base, await roles.get(prior!)),
        implies: roleView(base, await roles.get(implied!)),
      },
    })
  })

  // Grants: /v3/{projects|domains}/{target}/{users|groups}/{actor}/roles/{role}, and /v3/system/{users|groups}/{actor}/roles/{role}.
  const grantPaths: [string, (p: Params) => { type: AssignmentType; targetId: string; actorId: string }][] = [
    [
      '/v3/projects/:target/users/:actor/roles',
      (p) => ({ type: 'UserProject', targetId: p.target!, actorId: p.actor! }),
    ],
    [
      '/v3/projects/:target/groups/:actor/roles',
      (p) => ({ type: 'GroupProject', targetId: p.target!, actorId: p.actor! }),
    ],
    [
      '/v3/domains/:target/users/:actor/roles',
      (p) => ({ type: 'UserDomain', targetId: p.target!, actorId: p.actor! }),
    ],
    [
      '/v3/domains/:target/groups/:actor/roles',
      (p) => ({ type: 'GroupDomain', targetId: p.target!, actorId: p.actor! }),
    ],
    [
      '/v3/system/users/:actor/roles',
      (p) => ({ type: 'UserSystem', targetId: SYSTEM_TARGET, actorId: p.actor! }),
    ],
    [
      '/v3/system/groups/:actor/roles',
      (p) => ({ type: 'GroupSystem', targetId: SYSTEM_TARGET, actorId: p.actor! }),
    ],
  ]
  const checkExists = async (
    g: { type: AssignmentType; targetId: string; actorId: string },
    roleId: string,
  ): Promise<void> => {
    await roles.get(roleId)
    if (g.type.startsWith('User')) await deps.users.get(g.actorId)
    if (g.type.endsWith('Project')) await deps.projects.getProject(g.targetId)
    if (g.type.endsWith('Domain')) await deps.projects.getDomain(g.targetId)
  }
  for (const [path, grantOf] of grantPaths) {
    app.get(path, async (request) => {
      authorize(request, 'identity:list_grants')
      const g = grantOf(request.params as Params)
      const held = await roles.listAssignments({
        actorIds: [g.actorId],
        targetId: g.targetId,
        types: [g.type],
      })
      const list = await roles.list({ ids: held.map((a) => a.roleId) })
      return collection(
        base,
        request.url,
        'roles',
        list.map((r) => roleView(base, r)),
      )
    })
    app.put(`${path}/:role`, async (request, reply) => {
      authorize(request, 'identity:create_grant')
      const params = request.params as Params
      const g = grantOf(params)
      await checkExists(g, params.role!)
      await roles.grant({ ...g, roleId: params.role! })
      return reply.status(204).send()
    })
    app.head(`${path}/:role`, async (request, reply) => {
      authorize(request, 'identity:check_grant')
      const params = request.params as Params
      const g = grantOf(params)
      if (!(await roles.hasAssignment({ ...g, roleId: params.role! })))
        throw new IdentityEntityNotFound({ entity: 'role assignment', id: params.role! })
      return reply.status(204).send()
    })
    app.delete(`${path}/:role`, async (request, reply) => {
      authorize(request, 'identity:revoke_grant')
      const params = request.params as Params
      const g = grantOf(params)
      if (!(await roles.revoke({ ...g, roleId: params.role! })))
        throw new IdentityEntityNotFound({ entity: 'role assignment', id: params.role! })
      // Tokens issued with this role stop working: revoke the actor's tokens on that target.
      const now = new Date()
      if (g.type === 'UserProject')
        await deps.revocationCache.revoke({ userId: g.actorId, projectId: g.targetId, issuedBefore: now })
      else if (g.type.startsWith('User'))
        await deps.revocationCache.revoke({ userId: g.actorId, issuedBefore: now })
      else await deps.revocationCache.revoke({ projectId: g.targetId, issuedBefore: now })
      if (g.actorId === callerOf(request).userId)
        deps.logger.warn({ grant: g, role_id: params.role }, 'a user removed one of its own role assignments')
      return reply.status(204).send()
    })
  }

  app.get('/v3/role_assignments', async (request) => roleAssignments(deps, request))
}

async function roleAssignments(deps: IdentityDeps, request: FastifyRequest) {
  authorize(request, 'identity:list_role_assignments')
  const base = deps.settings.publicUrl
  const q = request.query as Record<string, string | undefined>
  const effective = queryFlag(q.effective) === true
  const includeNames = queryFlag(q.include_names) === true
  const systemScope = q['scope.system'] !== undefined
  const target = q['scope.project.id'] ?? q['scope.domain.id'] ?? (systemScope ? SYSTEM_TARGET : undefined)
  const types: AssignmentType[] | undefined =
    q['scope.project.id'] !== undefined
      ? ['UserProject', 'GroupProject']
      : q['scope.domain.id'] !== undefined
        ? ['UserDomain', 'GroupDomain']
        : systemScope
          ? ['UserSystem', 'GroupSystem']
          : undefined
  // include_subtree: the project and every project below it.
  const targets = new Set<string>(target === undefined ? [] : [target])
  if (queryFlag(q.include_subtree) === true && q['scope.project.id'] !== undefined) {
    for (let frontier = [q['scope.project.id']]; frontier.length > 0;) {
      const children = (
        await Promise.all(frontier.map((id) => deps.projects.listProjects({ parentId: id })))
      ).flat()
      frontier = children.map((p) => p.id).filter((id) => !targets.has(id))
      for (const id of frontier) targets.add(id)
    }
  }
  let list: Assignment[] = (
    await deps.roles.listAssignments({
      ...(types === undefined ? {} : { types }),
      ...(q['role.id'] === undefined ? {} : { roleId: q['role.id'] }),
    })
  ).filter((a) => target === undefined || targets.has(a.targetId))
  if (effective) {
    // Effective: group assignments become assignments of each member, and implied roles are added.
    const expanded: Assignment[] = []
    const viaGroups: Assignment[] = []
    for (const a of list) {
      if (!a.type.startsWith('Group')) continue
      for (const member of await deps.groups.members(a.actorId))
        viaGroups.push({ ...a, type: a.type.replace('Group', 'User') as AssignmentType, actorId: member })
    }
    list = [...list.filter((a) => a.type.startsWith('User')), ...viaGroups]
    for (const a of list) {
      const roleIds = (await deps.roles.expand([a.roleId])).map((r) => r.id)
      for (const roleId of roleIds) expanded.push({ ...a, roleId })
    }
    list = expanded
  }
  if (q['user.id'] !== undefined)
    list = list.filter((a) => a.type.startsWith('User') && a.actorId === q['user.id'])
  if (q['group.id'] !== undefined)
    list = list.filter((a) => a.type.startsWith('Group') && a.actorId === q['group.id'])

  const names = includeNames ? await nameLookup(deps, list) : undefined
  const views = list.map((a) => {
    const actorKey = a.type.startsWith('User') ? 'user' : 'group'
    const scopeKey = a.type.endsWith('Project') ? 'project' : a.type.endsWith('Domain') ? 'domain' : 'system'
    const scope =
      scopeKey === 'system'
        ? { system: { all: true } }
        : { [scopeKey]: { id: a.targetId, ...(names?.get(a.targetId) ?? {}) } }
    return {
      role: { id: a.roleId, ...(names?.get(a.roleId) ?? {}) },
      [actorKey]: { id: a.actorId, ...(names?.get(a.actorId) ?? {}) },
      scope,
      links: {
        assignment: `${base}/v3/${scopeKey === 'system' ? 'system' : `${scopeKey}s/${a.targetId}`}/${actorKey}s/${a.actorId}/roles/${a.roleId}`,
      },
    }
  })
  return collection(base, '/v3/role_assignments', 'role_assignments', views)
}

/** Names (and domains) of the roles, users and projects in a list of assignments, for include_names. */
async function nameLookup(
  deps: IdentityDeps,
  list: readonly Assignment[],
): Promise<Map<string, Record<string, unknown>>> {
  const names = new Map<string, Record<string, unknown>>()
  const domains = new Map((await deps.projects.listDomains()).map((d) => [d.id, { id: d.id, name: d.name }]))
  for (const r of await deps.roles.list({ ids: [...new Set(list.map((a) => a.roleId))] }))
    names.set(r.id, { name: r.name })
  for (const u of await deps.users.list({
    ids: [...new Set(list.filter((a) => a.type.startsWith('User')).map((a) => a.actorId))],
  })) {
    names.set(u.id, { name: u.name, domain: domains.get(u.domainId) ?? { id: u.domainId } })
  }
  for (const p of await deps.projects.listProjects({
    ids: [...new Set(list.filter((a) => a.type.endsWith('Project')).map((a) => a.targetId))],
  })) {
    names.set(p.id, { name: p.name, domain: domains.get(p.domainId) ?? { id: p.domainId } })
  }
  for (const [id, d] of domains) names.set(id, { name: d.name })
  return names
}
