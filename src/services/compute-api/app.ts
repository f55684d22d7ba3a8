import type { FastifyInstance } from 'fastify'
import { createHttpApp } from '../../http/create-http-app.js'
import type { Logger } from '../../common/logger.js'
import { NotFound } from '../../common/errors/index.js'
import { requireTokens, type TokenChecker } from './auth.js'
import { faultFor } from './faults.js'
import { versionDocument, versionsDocument } from './versions.js'

export interface ComputeApiAppOptions {
  readonly logger: Logger
  /** Base URL for links when the API sits behind a proxy (`[api] compute_link_prefix`); else from the request. */
  readonly linkPrefix?: string
  /** Token checking (keystonemiddleware); without it the API trusts no one beyond the version documents. */
  readonly auth?: { readonly checker: TokenChecker; readonly identityUri: string }
}

/**
 * Builds the compute API application without listening (tests call it through `inject`). Every response
 * carries `x-openstack-request-id`; every error leaves through the one fault translation in faults.ts.
 */
export function createComputeApiApp(options: ComputeApiAppOptions): FastifyInstance {
  const app = createHttpApp({
    logger: options.logger,
    requestIdHeaders: ['x-openstack-request-id', 'x-compute-request-id'],
  })
  if (options.auth !== undefined) requireTokens(app, options.auth.checker, options.auth.identityUri)

  const base = (host: string | undefined, protocol: string): string =>
    (options.linkPrefix ?? `${protocol}://${host ?? 'localhost'}`).replace(/\/+$/, '')

  app.get('/', async (request) => versionsDocument(base(request.headers.host, request.protocol)))
  for (const [path, id] of [
    ['/v2.1', 'v2.1'],
    ['/v2.1/', 'v2.1'],
    ['/v2', 'v2.0'],
    ['/v2/', 'v2.0'],
  ] as const) {
    app.get(path, async (request) => versionDocument(base(request.headers.host, request.protocol), id))
  }

  app.setNotFoundHandler(async (request) => {
    throw new NotFound(`The resource could not be found. (${request.method} ${request.url})`)
  })
  app.setErrorHandler(async (error, request, reply) => {
    const fault = faultFor(error, request.id)
    if (fault.status >= 500)
      options.logger.error({ err: error, request_id: request.id }, 'unexpected API error')
    await reply.status(fault.status).send(fault.body)
  })
  return app
}
