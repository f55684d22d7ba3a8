import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { makeContext, newRequestId, runWithContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import { NotFound } from '../../common/errors/index.js'
import { faultFor } from './faults.js'
import { versionDocument, versionsDocument } from './versions.js'

export interface ComputeApiAppOptions {
  readonly logger: Logger
  /** Base URL for links when the API sits behind a proxy (`[api] compute_link_prefix`); else from the request. */
  readonly linkPrefix?: string
}

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Builds the compute API application without listening (tests call it through `inject`). Every response
 * carries `x-openstack-request-id`; every error leaves through the one fault translation in faults.ts.
 */
export function createComputeApiApp(options: ComputeApiAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    disableRequestLogging: true,
    genReqId: () => newRequestId(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  })

  app.addHook('onRequest', (request, reply, done) => {
    const incoming = request.headers['x-openstack-request-id']
    const globalRequestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : undefined
    const ctx = makeContext({
      requestId: request.id,
      ...(globalRequestId === undefined ? {} : { globalRequestId }),
    })
    reply.header('x-openstack-request-id', request.id)
    reply.header('x-compute-request-id', request.id)
    runWithContext(ctx, done)
  })
  app.addHook('onResponse', (request, reply, done) => {
    options.logger.info(
      {
        request_id: request.id,
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: reply.elapsedTime,
      },
      'request',
    )
    done()
  })

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
