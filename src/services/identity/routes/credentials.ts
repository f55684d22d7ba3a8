import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import {
  IdentityEntityNotFound,
  IdentityForbidden,
  IdentityValidationError,
} from '../../../common/errors/index.js'
import { rolesFor } from '../authenticate.js'
import type { IdentityDeps } from '../identity-deps.js'
import { hashPassword } from '../password.js'
import { authorize, bodyObject, optionalBool, optionalString, requiredString } from '../request-auth.js'
import type { AppCredential, Ec2Credential } from '../store/credentials.js'

import { collection, keystoneTime } from '../views.js'

export function registerCredentialRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  const base = deps.settings.publicUrl
  const { credentials } = deps
  const appCredView = (c: AppCredential, secret?: string) => ({
    id: c.id,
    name: c.name,
    description: c.description,
    project_id: c.projectId,
    user_id: c.userId,
    expires_at: c.expiresAt === undefined ? null : keystoneTime(c.expiresAt),
    unrestricted: c.unrestricted,
    roles: c.roles.map((r) => ({ id: r.id, name: r.name, domain_id: null })),
    access_rules: [],
    ...(secret === undefined ? {} : { secret }),
    links: { self: `${base}/v3/users/${c.userId}/application_credentials/${c.id}` },
  })
  const ec2View = (c: Ec2Credential) => ({
    user_id: c.userId,
    tenant_id: c.projectId,
    access: c.access,
    secret: c.secret,
    trust_id: null,
    links: { self: `${base}/v3/users/${c.userId}/credentials/OS-EC2/${c.access}` },
  })

  app.post('/v3/users/:user/application_credentials', async (request, reply) => {
    const { user } = request.params as { user: string }
    // Keystone: only the user itself makes its application credentials, from a project-scoped token.
    const caller = authorize(request, 'identity:create_application_credential', {
      target: { user: { id: user } },
    })
    if (caller.projectId === undefined)
      throw new IdentityValidationError({
        detail: 'an application credential is made from a project-scoped token',
      })
    if (caller.appCredId !== undefined && caller.roles.length > 0) {
      const parent = await credentials.getAppCredential(caller.appCredId)
      if (!parent.unrestricted)
        throw new IdentityForbidden({
          action: 'identity:create_application_credential (restricted credential)',
        })
    }
    const a = bodyObject(request.body, 'application_credential')
    const secret = optionalString(a, 'secret') ?? randomBytes(48).toString('base64url')
    const expires = optionalString(a, 'expires_at')
    const expiresAt = expires === undefined ? undefined : new Date(expires)
    if (expiresAt !== undefined && Number.isNaN(expiresAt.getTime()))
      throw new IdentityValidationError({ detail: 'expires_at must be a date' })
    const wanted = a.roles
    // The roles the user holds on the project now (the token's list may predate a new assignment).
    let roles: { id: string; name: string }[] = (
      await rolesFor(deps, caller.userId, { kind: 'project', projectId: caller.projectId })
    ).map((r) => ({ id: r.id, name: r.name }))
    if (wanted !== undefined) {
      if (!Array.isArray(wanted)) throw new IdentityValidationError({ detail: 'roles must be a list' })
      roles = wanted.map((w: { id?: string; name?: string }) => {
        const held = roles.find((r) => r.id === w.id || r.name === w.name)
        if (held === undefined)
          throw new IdentityForbidden({ action: `delegate role ${w.name ?? w.id} the user does not hold` })
        return held
      })
    }
    const cred = await credentials.createAppCredential({
      name: requiredString(a, 'name'),
      userId: user,
      projectId: caller.projectId,
      description: optionalString(a, 'description') ?? '',
      expiresAt,
      unrestricted: optionalBool(a, 'unrestricted') ?? false,
      roles,
      secretHash: await hashPassword(secret, deps.settings.passwordHashRounds),
    })
    return reply.status(201).send({ application_credential: appCredView(cred, secret) })
  })

  app.get('/v3/users/:user/application_credentials', async (request) => {
    const { user } = request.params as { user: string }
    authorize(request, 'identity:list_application_credentials', { target: { user: { id: user } } })
    const { name } = request.query as { name?: string }
    const list = await credentials.listAppCredentials(user, name)
    return collection(
      base,
      `/v3/users/${user}/application_credentials`,
      'application_credentials',
      list.map((c) => appCredView(c)),
    )
  })

  app.get('/v3/users/:user/application_credentials/:id', async (request) => {
    const { user, id } = request.params as { user: string; id: string }
    authorize(request, 'identity:get_application_credential', { target: { user: { id: user } } })
    const cred = await credentials.getAppCredential(id)
    if (cred.userId !== user) throw new IdentityEntityNotFound({ entity: 'application credential', id })
    return { application_credential: appCredView(cred) }
  })

  app.delete('/v3/users/:user/application_credentials/:id', async (request, reply) => {
    const { user, id } = request.params as { user: string; id: string }
    authorize(request, 'identity:delete_application_credential', { target: { user: { id: user } } })
    await credentials.deleteAppCredential(user, id)
    await deps.revocationCache.revoke({ appCredId: id, issuedBefore: new Date() })
    return reply.status(204).send()
  })

  app.post('/v3/users/:user/credentials/OS-EC2', async (request, reply) => {
    const { user } = request.params as { user: string }
    const caller = authorize(request, 'identity:ec2_create_credential', {
      target: { credential: { user_id: user } },
    })
    const body = (request.body ?? {}) as Record<string, unknown>
    const projectId = typeof body.tenant_id === 'string' ? body.tenant_id : caller.projectId
    if (projectId === undefined) throw new IdentityValidationError({ detail: 'tenant_id is required' })
    await deps.projects.getProject(projectId)
    const cred = await credentials.createEc2({
      userId: user,
      projectId,
      access: randomBytes(16).toString('hex'),
      secret: randomBytes(16).toString('hex'),
    })
    return reply.status(201).send({ credential: ec2View(cred) })
  })

  app.get('/v3/users/:user/credentials/OS-EC2', async (request) => {
    const { user } = request.params as { user: string }
    authorize(request, 'identity:ec2_list_credentials', { target: { credential: { user_id: user } } })
    return collection(
      base,
      `/v3/users/${user}/credentials/OS-EC2`,
      'credentials',
      (await credentials.listEc2(user)).map(ec2View),
    )
  })

  app.get('/v3/users/:user/credentials/OS-EC2/:access', async (request) => {
    const { user, access } = request.params as { user: string; access: string }
    authorize(request, 'identity:ec2_get_credential', { target: { credential: { user_id: user } } })
    const cred = await credentials.findEc2(access)
    if (cred === undefined || cred.userId !== user)
      throw new IdentityEntityNotFound({ entity: 'credential', id: access })
    return { credential: ec2View(cred) }
  })

  app.delete('/v3/users/:user/credentials/OS-EC2/:access', async (request, reply) => {
    const { user, access } = request.params as { user: string; access: string }
    authorize(request, 'identity:ec2_delete_credential', { target: { credential: { user_id: user } } })
    await credentials.deleteEc2(user, access)
    return reply.status(204).send()
  })
}
