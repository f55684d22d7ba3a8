import type { FastifyInstance } from 'fastify'
import type { TokenPayload, TokenRefusal } from '../identity/client.js'

/** What the compute API needs to check tokens: identity's in-process verifier (identity/client.ts). */
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
 * keystonemiddleware's job for the compute API: every path under /v2.1/ or /v2/ (the version documents
 * themselves stay public) needs a valid X-Auth-Token, else 401 with `WWW-Authenticate: Keystone uri=…`.
 */
export function requireTokens(app: FastifyInstance, checker: TokenChecker, identityUri: string): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.replace(/\?.*/, '')
    if (!/^\/v2(\.1)?\/.+/.test(path)) return
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
