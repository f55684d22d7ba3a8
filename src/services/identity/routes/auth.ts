import type { FastifyInstance, FastifyRequest } from 'fastify'
import { TokenNotValid } from '../../../common/errors/index.js'
import { authenticate, rolesFor, scopeOf } from '../authenticate.js'
import type { IdentityDeps } from '../identity-deps.js'
import { authorize, callerOf } from '../request-auth.js'
import { issueToken, validateToken } from '../token-service.js'
import type { TokenPayload } from '../tokens/token-format.js'
import { catalogView, collection, domainView, keystoneTime, projectView } from '../views.js'

/** The token body Keystone returns on issue and validation. */
export async function tokenBody(deps: IdentityDeps, payload: TokenPayload, withCatalog: boolean) {
  const user = await deps.users.get(payload.userId)
  const userDomain = await deps.projects.getDomain(user.domainId)
  const body: Record<string, unknown> = {
    methods: payload.methods,
    user: {
      domain: { id: userDomain.id, name: userDomain.name },
      id: user.id,
      name: user.name,
      password_expires_at: user.passwordExpiresAt === undefined ? null : keystoneTime(user.passwordExpiresAt),
    },
    audit_ids: payload.auditIds,
    expires_at: keystoneTime(payload.expiresAt),
    issued_at: keystoneTime(payload.issuedAt),
  }
  const scope = scopeOf(payload)
  if (scope.kind === 'project') {
    const project = await deps.projects.getProject(scope.projectId)
    const domain = await deps.projects.getDomain(project.domainId)
    body.project = { domain: { id: domain.id, name: domain.name }, id: project.id, name: project.name }
    body.is_domain = false
  } else if (scope.kind === 'domain') {
    const domain = await deps.projects.getDomain(scope.domainId)
    body.domain = { id: domain.id, name: domain.name }
  } else if (scope.kind === 'system') {
    body.system = { all: true }
  }
  if (scope.kind !== 'unscoped') {
    // Roles as they are now (assignments may have changed since issue; removals also revoke the token).
    // An application credential's token carries exactly the credential's roles.
    const current = (await rolesFor(deps, payload.userId, scope)).map((r) => ({ id: r.id, name: r.name }))
    body.roles =
      payload.appCredId === undefined
        ? current
        : current.filter((r) => payload.roles.some((p) => p.id === r.id))
    if (withCatalog)
      body.catalog = catalogView(await deps.catalog.listServices(), await deps.catalog.listEndpoints())
  }
  return { token: body }
}

function subjectToken(request: FastifyRequest): string {
  const header = request.headers['x-subject-token']
  if (typeof header !== 'string' || header === '') throw new TokenNotValid({ reason: 'no X-Subject-Token' })
  return header
}

const noCatalog = (request: FastifyRequest): boolean => Object.hasOwn(request.query as object, 'nocatalog')

export function registerAuthRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl

  app.post('/v3/auth/tokens', { config: { public: true } }, async (request, reply) => {
    const payload = await authenticate(deps, request.body)
    const token = issueToken(deps, payload)
    reply.header('x-subject-token', token)
    return reply.status(201).send(await tokenBody(deps, payload, !noCatalog(request)))
  })

  app.get('/v3/auth/tokens', async (request, reply) => {
    const subject = subjectToken(request)
    const payload = await validateToken(deps, subject)
    authorize(request, 'identity:validate_token', { target: { token: { user_id: payload.userId } } })
    reply.header('x-subject-token', subject)
    return await tokenBody(deps, payload, !noCatalog(request))
  })

  app.head('/v3/auth/tokens', async (request, reply) => {
    const payload = await validateToken(deps, subjectToken(request))
    authorize(request, 'identity:check_token', { target: { token: { user_id: payload.userId } } })
    return reply.status(200).send()
  })

  app.delete('/v3/auth/tokens', async (request, reply) => {
    const payload = await validateToken(deps, subjectToken(request))
    authorize(request, 'identity:revoke_token', { target: { token: { user_id: payload.userId } } })
    await deps.revocationCache.revoke({ auditId: payload.auditIds[0]!, issuedBefore: new Date() })
    return reply.status(204).send()
  })

  app.get('/v3/auth/catalog', async (request) => {
    const caller = callerOf(request)
    if (caller.projectId === undefined && caller.domainId === undefined && caller.system !== true) {
      return { catalog: [], links: { self: `${base}/v3/auth/catalog` } }
    }
    return {
      catalog: catalogView(await deps.catalog.listServices(), await deps.catalog.listEndpoints()),
      links: { self: `${base}/v3/auth/catalog` },
    }
  })

  app.get('/v3/auth/projects', async (request) => {
    const caller = callerOf(request)
    const groups = await deps.roles.groupsOf(caller.userId)
    const assignments = await deps.roles.listAssignments({
      actorIds: [caller.userId, ...groups],
      types: ['UserProject', 'GroupProject'],
    })
    const projects = await deps.projects.listProjects({
      ids: [...new Set(assignments.map((a) => a.targetId))],
      enabled: true,
    })
    return collection(
      base,
      '/v3/auth/projects',
      'projects',
      projects.map((p) => projectView(base, p)),
    )
  })

  app.get('/v3/auth/domains', async (request) => {
    const caller = callerOf(request)
    const groups = await deps.roles.groupsOf(caller.userId)
    const assignments = await deps.roles.listAssignments({
      actorIds: [caller.userId, ...groups],
      types: ['UserDomain', 'GroupDomain'],
    })
    const domains = await deps.projects.listDomains({
      ids: [...new Set(assignments.map((a) => a.targetId))],
      enabled: true,
    })
    return collection(
      base,
      '/v3/auth/domains',
      'domains',
      domains.map((d) => domainView(base, d)),
    )
  })

  app.get('/v3/auth/system', async (request) => {
    const caller = callerOf(request)
    const roles = await rolesFor(deps, caller.userId, { kind: 'system' })
    return { system: roles.length > 0 ? [{ all: true }] : [], links: { self: `${base}/v3/auth/system` } }
  })
}
