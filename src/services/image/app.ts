import type { FastifyInstance } from 'fastify'
import type { Logger } from '../../common/logger.js'
import { NotFound, NovaError } from '../../common/errors/index.js'
import { createHttpApp } from '../../http/create-http-app.js'
import { requireTokens, type TokenChecker } from '../identity/client.js'
import type { ImageDeps } from './image-deps.js'
import { registerDataRoutes } from './routes/data.js'
import { registerImageRoutes } from './routes/images.js'
import { registerMemberRoutes } from './routes/members.js'
import { registerImportRoutes } from './routes/import.js'
import { imageSchema, imagesSchema, memberSchema, membersSchema } from './schemas.js'
import { STATUS_TITLES } from '../../http/status-titles.js'

/** The image service's HTTP application (Glance v2 subset), built without listening. */
export function createImageApp(
  deps: ImageDeps,
  options: { logger: Logger; publicUrl: string; auth: { checker: TokenChecker; identityUri: string } },
): FastifyInstance {
  const app = createHttpApp({ logger: options.logger, requestIdHeaders: ['x-openstack-request-id'] })
  requireTokens(
    app,
    options.auth.checker,
    options.auth.identityUri,
    (path) => path.startsWith('/v2/') && !path.startsWith('/v2/schemas'),
  )
  app.addContentTypeParser(
    /^application\/openstack-images-v2\.[01]-json-patch/,
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, JSON.parse(String(body)))
      } catch {
        done(
          Object.assign(new Error('Malformed JSON-patch body'), {
            statusCode: 400,
            code: 'FST_ERR_CTP_INVALID_JSON_BODY',
          }),
          undefined,
        )
      }
    },
  )

  const versions = () => ({
    versions: ['2.16', '2.15', '2.9', '2.7', '2.6', '2.5', '2.4', '2.3', '2.2', '2.1', '2.0'].map((v, i) => ({
      id: `v${v}`,
      status: i === 0 ? 'CURRENT' : 'SUPPORTED',
      links: [{ rel: 'self', href: `${options.publicUrl}/v2/` }],
    })),
  })
  app.get('/', async (_request, reply) => reply.status(300).send(versions()))
  app.get('/versions', async () => versions())
  app.get('/v2/schemas/image', async () => imageSchema())
  app.get('/v2/schemas/images', async () => imagesSchema())
  app.get('/v2/schemas/member', async () => memberSchema())
  app.get('/v2/schemas/members', async () => membersSchema())
  registerImageRoutes(app, deps)
  registerDataRoutes(app, deps)
  registerMemberRoutes(app, deps)
  registerImportRoutes(app, deps)

  app.setNotFoundHandler(async (request) => {
    throw new NotFound(
      `The resource could not be found. (${request.method} ${request.url.replace(/\?.*/, '')})`,
    )
  })
  app.setErrorHandler(async (error, request, reply) => {
    let status = 500
    let message = `An unexpected error occurred. (request id ${request.id})`
    const e = error as { statusCode?: number; code?: string; validation?: unknown; message?: string }
    if (error instanceof NovaError) {
      status = error.status
      message = error.message
    } else if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.validation !== undefined) {
      status = 400
      message = e.message ?? 'Malformed request body'
    } else if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      status = 415
      message = 'Unsupported Content-Type'
    } else if (e.statusCode === 413) {
      status = 413
      message = 'Request Entity Too Large'
    } else options.logger.error({ err: error, request_id: request.id }, 'unexpected image API error')
    await reply.status(status).send({ code: status, title: STATUS_TITLES[status] ?? 'Error', message })
  })
  return app
}
