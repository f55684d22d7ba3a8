import { randomBytes } from 'node:crypto'
import { TokenNotValid } from '../../common/errors/index.js'
import type { IdentityDeps } from './identity-deps.js'
import { decodeToken, encodeToken, type TokenPayload } from './tokens/token-format.js'

/** A short, url-safe audit id, as Keystone's. */
export function newAuditId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22)
}

/** Encrypts a payload with the primary key. */
export function issueToken(deps: IdentityDeps, payload: TokenPayload): string {
  return encodeToken(deps.keys.primary, payload)
}

/**
 * Checks a token the way Keystone validates one: it must decrypt with a current key, not be expired, not be
 * covered by a revocation event, and its user (and project) must still exist and be enabled. Throws
 * TokenNotValid (404, as Keystone answers for a bad subject token) otherwise.
 */
export async function validateToken(
  deps: IdentityDeps,
  token: string,
  now = new Date(),
): Promise<TokenPayload> {
  const payload = decodeToken(deps.keys.all, token)
  if (payload === undefined) throw new TokenNotValid({ reason: 'not a token of this cloud' })
  if (payload.expiresAt.getTime() <= now.getTime()) throw new TokenNotValid({ reason: 'expired' })
  if (deps.revocationCache.covers({ ...payload })) throw new TokenNotValid({ reason: 'revoked' })
  const user = await deps.users.get(payload.userId).catch(() => undefined)
  if (user === undefined || !user.enabled) throw new TokenNotValid({ reason: 'the user is disabled or gone' })
  if (payload.projectId !== undefined) {
    const project = await deps.projects.getProject(payload.projectId).catch(() => undefined)
    if (project === undefined || !project.enabled)
      throw new TokenNotValid({ reason: 'the project is disabled or gone' })
  }
  if (payload.appCredId !== undefined) {
    const cred = await deps.credentials.getAppCredential(payload.appCredId).catch(() => undefined)
    if (cred === undefined) throw new TokenNotValid({ reason: 'its application credential is gone' })
  }
  return payload
}
