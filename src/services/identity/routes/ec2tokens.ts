import type { FastifyInstance } from 'fastify'
import { AuthenticationFailed, IdentityValidationError } from '../../../common/errors/index.js'
import { rolesFor } from '../authenticate.js'
import { verifyEc2Signature, type Ec2SignedRequest } from '../ec2-signature.js'
import type { IdentityDeps } from '../identity-deps.js'
import { issueToken, newAuditId } from '../token-service.js'
import { tokenBody } from './auth.js'

function signedRequest(body: unknown): Ec2SignedRequest {
  const c = body as
    { credentials?: Record<string, unknown>; ec2Credentials?: Record<string, unknown> } | undefined
  const creds = c?.credentials ?? c?.ec2Credentials
  if (typeof creds !== 'object' || creds === null)
    throw new IdentityValidationError({ detail: 'the body must be {"credentials": {...}}' })
  const str = (k: string): string => {
    const v = creds[k]
    if (typeof v !== 'string')
      throw new IdentityValidationError({ detail: `credentials.${k} must be a string` })
    return v
  }
  const record = (k: string): Record<string, string> => {
    const v = creds[k] ?? {}
    if (typeof v !== 'object' || v === null)
      throw new IdentityValidationError({ detail: `credentials.${k} must be an object` })
    return Object.fromEntries(Object.entries(v).map(([key, value]) => [key, String(value)]))
  }
  return {
    access: str('access'),
    signature: str('signature'),
    host: str('host'),
    verb: str('verb'),
    path: str('path'),
    params: record('params'),
    headers: record('headers'),
    ...(typeof creds.body_hash === 'string' ? { body_hash: creds.body_hash } : {}),
  }
}

/**
 * `POST /v3/ec2tokens`: the EC2 API forwards a signed request; when the signature was made with the secret of an
 * EC2 credential, the answer is a token for that credential's user and project.
 */
export function registerEc2TokenRoutes(app: FastifyInstance, deps: IdentityDeps): void {
  app.post('/v3/ec2tokens', { config: { public: true } }, async (request, reply) => {
    const req = signedRequest(request.body)
    const cred = await deps.credentials.findEc2(req.access)
    if (cred === undefined || !verifyEc2Signature(cred.secret, req)) throw new AuthenticationFailed({})
    const user = await deps.users.get(cred.userId).catch(() => undefined)
    if (user === undefined || !user.enabled) throw new AuthenticationFailed({})
    const roles = await rolesFor(deps, cred.userId, { kind: 'project', projectId: cred.projectId })
    if (roles.length === 0) throw new AuthenticationFailed({})
    const now = new Date()
    const payload = {
      userId: cred.userId,
      methods: ['ec2credential'],
      projectId: cred.projectId,
      roles: roles.map((r) => ({ id: r.id, name: r.name })),
      issuedAt: now,
      expiresAt: new Date(now.getTime() + deps.settings.tokenExpirationS * 1000),
      auditIds: [newAuditId()],
    }
    reply.header('x-subject-token', issueToken(deps, payload))
    return reply.status(200).send(await tokenBody(deps, payload, true))
  })
}
