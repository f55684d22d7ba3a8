import { AuthenticationFailed, IdentityValidationError, TokenNotValid } from '../../common/errors/index.js'
import type { IdentityDeps } from './identity-deps.js'
import { verifyPassword } from './password.js'
import { SYSTEM_TARGET, type AssignmentType } from './store/roles.js'
import type { Role } from './store/roles.js'
import type { UserCredentials } from './store/users.js'
import { newAuditId, validateToken } from './token-service.js'
import type { TokenPayload } from './tokens/token-format.js'

type Json = Record<string, unknown>
const obj = (v: unknown, what: string): Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new IdentityValidationError({ detail: `${what} must be an object` })
  return v as Json
}
const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v === '')
    throw new IdentityValidationError({ detail: `${what} must be a non-empty string` })
  return v
}

/** The scope a token is for: one project, one domain, the system, or nothing. */
export type Scope =
  | { kind: 'project'; projectId: string }
  | { kind: 'domain'; domainId: string }
  | { kind: 'system' }
  | { kind: 'unscoped' }

/**
 * `POST /v3/auth/tokens`: checks the identity (password or token method), resolves the requested scope, and
 * returns the payload of the new token. Wrong password and unknown user fail alike (AuthenticationFailed, 401).
 */
export async function authenticate(
  deps: IdentityDeps,
  body: unknown,
  now = new Date(),
): Promise<TokenPayload> {
  const auth = obj(obj(body, 'the request body').auth, 'auth')
  const identity = obj(auth.identity, 'auth.identity')
  const methods = identity.methods
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === 'string')) {
    throw new IdentityValidationError({ detail: 'auth.identity.methods must be a list of method names' })
  }
  let userId: string
  let parentAuditId: string | undefined
  let inheritedExpiry: Date | undefined
  let inheritedScope: Scope | undefined
  let inheritedMethods: readonly string[] | undefined
  if (methods.includes('password')) {
    userId = (await passwordUser(deps, obj(identity.password, 'auth.identity.password'))).id
  } else if (methods.includes('token')) {
    const subject = str(obj(identity.token, 'auth.identity.token').id, 'auth.identity.token.id')
    const previous = await validateToken(deps, subject, now).catch((error: unknown) => {
      if (error instanceof TokenNotValid) throw new AuthenticationFailed({})
      throw error
    })
    userId = previous.userId
    parentAuditId = previous.auditIds[0]
    inheritedExpiry = previous.expiresAt
    inheritedScope = scopeOf(previous)
    inheritedMethods = previous.methods
  } else if (methods.includes('application_credential')) {
    return await appCredentialAuth(
      deps,
      obj(identity.application_credential, 'auth.identity.application_credential'),
      now,
    )
  } else {
    throw new IdentityValidationError({ detail: `unsupported authentication methods ${methods.join(', ')}` })
  }

  const user = await deps.users.get(userId)
  const scope =
    auth.scope === undefined
      ? await defaultScope(deps, user.defaultProjectId, inheritedScope)
      : await requestedScope(deps, auth.scope)
  const roles = await rolesFor(deps, userId, scope)
  if (scope.kind !== 'unscoped' && roles.length === 0) throw new AuthenticationFailed({})
  const expiresAt = new Date(
    Math.min(now.getTime() + deps.settings.tokenExpirationS * 1000, inheritedExpiry?.getTime() ?? Infinity),
  )
  return {
    userId,
    // A rescoped token keeps the methods of the token it came from (Keystone: e.g. password + token).
    methods: [...new Set([...(inheritedMethods ?? []), ...(methods as string[])])],
    ...(scope.kind === 'project' ? { projectId: scope.projectId } : {}),
    ...(scope.kind === 'domain' ? { domainId: scope.domainId } : {}),
    ...(scope.kind === 'system' ? { system: true } : {}),
    roles: roles.map((r) => ({ id: r.id, name: r.name })),
    issuedAt: now,
    expiresAt,
    auditIds: parentAuditId === undefined ? [newAuditId()] : [newAuditId(), parentAuditId],
  }
}

export function scopeOf(payload: TokenPayload): Scope {
  if (payload.projectId !== undefined) return { kind: 'project', projectId: payload.projectId }
  if (payload.domainId !== undefined) return { kind: 'domain', domainId: payload.domainId }
  if (payload.system === true) return { kind: 'system' }
  return { kind: 'unscoped' }
}

async function passwordUser(deps: IdentityDeps, password: Json): Promise<UserCredentials> {
  const u = obj(password.user, 'auth.identity.password.user')
  const secret = typeof u.password === 'string' ? u.password : ''
  let user: UserCredentials | undefined
  if (typeof u.id === 'string') user = await deps.users.getCredentials(u.id).catch(() => undefined)
  else {
    const name = str(u.name, 'auth.identity.password.user.name')
    const domainId = await domainIdOf(deps, u.domain)
    user = domainId === undefined ? undefined : await deps.users.findByName(name, domainId)
  }
  const ok = await verifyPassword(secret, user?.passwordHash)
  if (user === undefined || !user.enabled) throw new AuthenticationFailed({})
  const { lockoutFailureAttempts, lockoutDurationS } = deps.settings
  const locked =
    lockoutFailureAttempts !== undefined &&
    user.failedAuthCount >= lockoutFailureAttempts &&
    user.lastFailedAuthAt !== undefined &&
    Date.now() - user.lastFailedAuthAt.getTime() < lockoutDurationS * 1000
  if (!ok || locked) {
    if (!ok) await deps.users.recordAuthResult(user.id, false)
    deps.logger.info({ user_id: user.id, locked }, 'authentication failed')
    throw new AuthenticationFailed({})
  }
  if (user.failedAuthCount > 0) await deps.users.recordAuthResult(user.id, true)
  return user
}

/** `{id}` or `{name}` of a domain; undefined when there is no such domain. */
async function domainIdOf(deps: IdentityDeps, ref: unknown): Promise<string | undefined> {
  const domain = obj(ref ?? {}, 'domain')
  if (typeof domain.id === 'string') return domain.id
  if (typeof domain.name === 'string') return (await deps.projects.findDomainByName(domain.name))?.id
  throw new IdentityValidationError({ detail: 'a domain is given by id or name' })
}

async function requestedScope(deps: IdentityDeps, raw: unknown): Promise<Scope> {
  if (raw === 'unscoped') return { kind: 'unscoped' }
  const scope = obj(raw, 'auth.scope')
  if (scope.project !== undefined) {
    const p = obj(scope.project, 'auth.scope.project')
    if (typeof p.id === 'string') {
      await deps.projects.getProject(p.id).catch(() => {
        throw new AuthenticationFailed({})
      })
      return { kind: 'project', projectId: p.id }
    }
    const name = str(p.name, 'auth.scope.project.name')
    const domainId = await domainIdOf(deps, p.domain)
    const project = domainId === undefined ? undefined : await deps.projects.findProjectByName(name, domainId)
    if (project === undefined) throw new AuthenticationFailed({})
    return { kind: 'project', projectId: project.id }
  }
  if (scope.domain !== undefined) {
    const domainId = await domainIdOf(deps, scope.domain)
    if (domainId === undefined) throw new AuthenticationFailed({})
    return { kind: 'domain', domainId }
  }
  if (scope.system !== undefined) return { kind: 'system' }
  throw new IdentityValidationError({ detail: 'auth.scope names a project, a domain or the system' })
}

async function defaultScope(
  deps: IdentityDeps,
  defaultProjectId: string | undefined,
  inherited: Scope | undefined,
): Promise<Scope> {
  if (inherited !== undefined) return inherited
  if (defaultProjectId === undefined) return { kind: 'unscoped' }
  const project = await deps.projects.getProject(defaultProjectId).catch(() => undefined)
  return project === undefined || !project.enabled
    ? { kind: 'unscoped' }
    : { kind: 'project', projectId: project.id }
}

/** Effective roles of a user on a scope: direct and through groups, with implied roles added. */
export async function rolesFor(deps: IdentityDeps, userId: string, scope: Scope): Promise<Role[]> {
  if (scope.kind === 'unscoped') return []
  const groups = await deps.roles.groupsOf(userId)
  const target =
    scope.kind === 'project' ? scope.projectId : scope.kind === 'domain' ? scope.domainId : SYSTEM_TARGET
  const types: AssignmentType[] =
    scope.kind === 'project'
      ? ['UserProject', 'GroupProject']
      : scope.kind === 'domain'
        ? ['UserDomain', 'GroupDomain']
        : ['UserSystem', 'GroupSystem']
  const assignments = await deps.roles.listAssignments({
    actorIds: [userId, ...groups],
    targetId: target,
    types,
  })
  if (scope.kind === 'project') {
    const project = await deps.projects.getProject(scope.projectId)
    if (!project.enabled) return []
  }
  return await deps.roles.expand([...new Set(assignments.map((a) => a.roleId))])
}

/**
 * The `application_credential` method: by id, or by name and user; the token is scoped to the credential's
 * project with the credential's roles (those the user still holds there). Wrong secret, unknown or expired
 * credential all fail alike.
 */
async function appCredentialAuth(deps: IdentityDeps, ac: Json, now: Date): Promise<TokenPayload> {
  const secret = typeof ac.secret === 'string' ? ac.secret : ''
  let cred
  if (typeof ac.id === 'string') cred = await deps.credentials.getAppCredential(ac.id).catch(() => undefined)
  else {
    const name = str(ac.name, 'auth.identity.application_credential.name')
    const u = obj(ac.user, 'auth.identity.application_credential.user')
    let userId = typeof u.id === 'string' ? u.id : undefined
    if (userId === undefined) {
      const domainId = await domainIdOf(deps, u.domain)
      userId =
        domainId === undefined
          ? undefined
          : (await deps.users.findByName(str(u.name, 'user.name'), domainId))?.id
    }
    cred = userId === undefined ? undefined : await deps.credentials.findAppCredentialByName(userId, name)
  }
  const ok = await verifyPassword(secret, cred?.secretHash)
  if (
    cred === undefined ||
    !ok ||
    (cred.expiresAt !== undefined && cred.expiresAt.getTime() <= now.getTime())
  ) {
    throw new AuthenticationFailed({})
  }
  const user = await deps.users.get(cred.userId).catch(() => undefined)
  if (user === undefined || !user.enabled) throw new AuthenticationFailed({})
  const held = new Set(
    (await rolesFor(deps, cred.userId, { kind: 'project', projectId: cred.projectId })).map((r) => r.id),
  )
  const roles = await deps.roles.expand(cred.roles.map((r) => r.id).filter((id) => held.has(id)))
  if (roles.length === 0) throw new AuthenticationFailed({})
  const expiry = now.getTime() + deps.settings.tokenExpirationS * 1000
  return {
    userId: cred.userId,
    methods: ['application_credential'],
    projectId: cred.projectId,
    roles: roles.map((r) => ({ id: r.id, name: r.name })),
    issuedAt: now,
    expiresAt: new Date(Math.min(expiry, cred.expiresAt?.getTime() ?? Infinity)),
    auditIds: [newAuditId()],
    appCredId: cred.id,
  }
}
