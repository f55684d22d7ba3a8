import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { makeContext, newRequestId, runWithContext } from '../common/context.js'
import type { Logger } from '../common/logger.js'

export interface HttpAppOptions {
  readonly logger: Logger
  /** Headers that carry the request id back (`x-openstack-request-id`, plus e.g. `x-compute-request-id`). */
  readonly requestIdHeaders: readonly string[]
  /** Derive HEAD from GET routes (fastify's default); off where HEAD routes are declared explicitly. */
  readonly exposeHeadRoutes?: boolean
}

const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The HTTP frame every nova-ts API shares: fastify with ajv set as OpenStack needs (no coercion, no silent
 * stripping), a `req-<uuid>` request id per request bound to the request context (so every log line written
 * while serving it carries it), the caller's `X-OpenStack-Request-ID` kept as the global request id, and one
 * structured access-log line per request.
 */
export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: options.exposeHeadRoutes ?? true,
    genReqId: () => newRequestId(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
  })
  // OpenStack clients send `Content-Type: application/json` on requests without a body (DELETE, PUT of a grant):
  // an empty body is no body, not an error. Malformed JSON is still a 400.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString()
    if (text.trim() === '') {
      done(null, undefined)
      return
    }
    try {
      done(null, JSON.parse(text))
    } catch (error) {
      done(
        Object.assign(new Error(`Malformed JSON in request body: ${(error as Error).message}`), {
          statusCode: 400,
          code: 'FST_ERR_CTP_INVALID_JSON_BODY',
        }),
        undefined,
      )
    }
  })
  app.addHook('onRequest', (request, reply, done) => {
    const incoming = request.headers['x-openstack-request-id']
    const globalRequestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : undefined
    for (const header of options.requestIdHeaders) reply.header(header, request.id)
    runWithContext(
      makeContext({ requestId: request.id, ...(globalRequestId === undefined ? {} : { globalRequestId }) }),
      done,
    )
  })
  app.addHook('onResponse', (request, reply, done) => {
    options.logger.info(
      {
        request_id: request.id,
        method: request.method,
        url: request.url.replace(/\?.*/, ''),
        status: reply.statusCode,
        ms: reply.elapsedTime,
      },
      'request',
    )
    done()
  })
  return app
}
