import type { FastifyInstance } from 'fastify'
import { requireTokens as gate, type TokenChecker } from '../identity/client.js'

export type { TokenChecker } from '../identity/client.js'

/** The compute API needs a token on every path under /v2.1/ or /v2/; the version documents stay public. */
export function requireTokens(app: FastifyInstance, checker: TokenChecker, identityUri: string): void {
  gate(app, checker, identityUri, (path) => /^\/v2(\.1)?\/.+/.test(path))
}
