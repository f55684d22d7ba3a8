import type { FastifyInstance } from 'fastify'
import type { Database } from '../../db/index.js'
import type { MessageBus, Subscription } from '../../bus/index.js'
import type { Logger } from '../../common/logger.js'
import { identityDb } from './store/identity-db.js'
import { createRevocationStore } from './store/revocations.js'
import { FernetKeyRepository } from './tokens/key-repository.js'
import { RevocationCache } from './tokens/revocation-cache.js'
import { decodeToken, type TokenPayload } from './tokens/token-format.js'

export type { TokenPayload } from './tokens/token-format.js'

/** How long after expiry a user token stays usable when a service token vouches for it (Keystone: 2 days). */
const ALLOW_EXPIRED_WINDOW_MS = 2 * 24 * 3600 * 1000

/** Notification topic on which the identity service announces each revocation. */
export const REVOCATION_TOPIC = 'identity_revocations.info'

/** Why a token was refused; the middleware answers 401 for all of them. */
export type TokenRefusal = 'malformed' | 'expired' | 'revoked'

/**
 * Validates tokens where they are used (keystonemiddleware's job) without calling identity: the token is
 * decrypted with the shared Fernet keys, its expiry checked, and the revocation events (read from the API
 * database, refreshed as soon as identity announces a revocation on the bus) consulted. Costs no I/O per request.
 */
export class TokenVerifier {
  readonly #keys: FernetKeyRepository
  readonly #revocations: RevocationCache
  #subscription: Subscription | undefined

  private constructor(keys: FernetKeyRepository, revocations: RevocationCache) {
    this.#keys = keys
    this.#revocations = revocations
  }

  /**
   * Loads the keys and the revocation events, then follows revocations announced on the bus. The keys are
   * read from `[fernet_tokens] key_repository`; it must exist (identity creates it).
   */
  static async start(options: {
    db: Database<unknown>
    keyRepository: string
    bus: MessageBus
    logger: Logger
  }): Promise<TokenVerifier> {
    const keys = new FernetKeyRepository(options.keyRepository)
    keys.load()
    const cache = new RevocationCache(createRevocationStore(identityDb(options.db)))
    await cache.reload()
    const verifier = new TokenVerifier(keys, cache)
    verifier.#subscription = await options.bus.listenNotifications(
      [REVOCATION_TOPIC],
      undefined,
      async () => {
        await cache
          .reload()
          .catch((error: unknown) =>
            options.logger.warn({ err: error }, 'reloading token revocations failed'),
          )
        keys.load()
      },
    )
    return verifier
  }

  /**
   * The token's payload, or why it is refused. With a valid service token (`X-Service-Token` of a user holding the
   * `service` role), an expired user token is still accepted for `[keystone_authtoken]`-style long operations
   * started on the user's behalf (keystonemiddleware's allow_expired); a revoked one never is.
   */
  verify(token: string, serviceToken?: string, now = new Date()): TokenPayload | TokenRefusal {
    const payload = decodeToken(this.#keys.all, token)
    if (payload === undefined) return 'malformed'
    if (this.#revocations.covers(payload)) return 'revoked'
    if (payload.expiresAt.getTime() <= now.getTime()) {
      const service = serviceToken === undefined ? undefined : this.verify(serviceToken, undefined, now)
      const vouched = typeof service === 'object' && service.roles.some((r) => r.name === 'service')
      const withinWindow = now.getTime() - payload.expiresAt.getTime() <= ALLOW_EXPIRED_WINDOW_MS
      if (!vouched || !withinWindow) return 'expired'
    }
    return payload
  }

  async stop(): Promise<void> {
    await this.#subscription?.stop()
  }
}

/** What an API needs to check tokens: `TokenVerifier` or a stand-in with the same contract. */
export interface TokenChecker {
  verify(token: string, serviceToken?: string): TokenPayload | TokenRefusal
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, from its validated X-Auth-Token; set on every authenticated route. */
    token?: TokenPayload
  }
}

const UNAUTHORIZED = {
  error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' },
}

/**
 * keystonemiddleware's job for an API: every request whose path `applies` needs a valid X-Auth-Token (an
 * X-Service-Token may vouch for an expired one), else 401 with `WWW-Authenticate: Keystone uri=…`.
 */
export function requireTokens(
  app: FastifyInstance,
  checker: TokenChecker,
  identityUri: string,
  applies: (path: string) => boolean,
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!applies(request.url.replace(/\?.*/, ''))) return undefined
    const header = request.headers['x-auth-token']
    const service = request.headers['x-service-token']
    const result =
      typeof header === 'string' && header !== ''
        ? checker.verify(header, typeof service === 'string' && service !== '' ? service : undefined)
        : 'malformed'
    if (typeof result === 'string') {
      request.log.info({ reason: result }, 'token refused')
      return reply.status(401).header('www-authenticate', `Keystone uri="${identityUri}"`).send(UNAUTHORIZED)
    }
    request.token = result
    return undefined
  })
}

/** A validated token as oslo.policy sees the caller, for services that enforce their own rules. */
export { credentialsOf } from './request-auth.js'

export interface PasswordCredentials {
  /** Identity v3 endpoint, e.g. `http://controller:5000/v3`. */
  readonly authUrl: string
  readonly username: string
  readonly password: string
  readonly projectName: string
  readonly userDomainName: string
  readonly projectDomainName: string
}

/**
 * A service's own token (keystoneauth's password plugin): issued by identity on first use and again a minute
 * before it expires; concurrent callers share one request.
 */
export function passwordTokenSource(credentials: PasswordCredentials): () => Promise<string> {
  let token: { id: string; expiresAt: number } | undefined
  let pending: Promise<string> | undefined
  const issue = async (): Promise<string> => {
    const res = await fetch(`${credentials.authUrl.replace(/\/+$/, '')}/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: {
                name: credentials.username,
                domain: { name: credentials.userDomainName },
                password: credentials.password,
              },
            },
          },
          scope: {
            project: { name: credentials.projectName, domain: { name: credentials.projectDomainName } },
          },
        },
      }),
    })
    const body = (await res.json().catch(() => ({}))) as { token?: { expires_at?: string } }
    const id = res.headers.get('x-subject-token')
    if (res.status !== 201 || id === null)
      throw new Error(`identity refused the service credentials of ${credentials.username}: ${res.status}`)
    token = { id, expiresAt: Date.parse(body.token?.expires_at ?? '') || Date.now() + 3600_000 }
    return id
  }
  return async () => {
    if (token !== undefined && token.expiresAt - 60_000 > Date.now()) return token.id
    pending ??= issue().finally(() => (pending = undefined))
    return pending
  }
}

/** Where clients reach identity and placement, from configuration. */
export { identityPublicUrl, placementPublicUrl } from './settings-from-config.js'
