import type { FastifyInstance } from 'fastify'
import { createHttpApp } from '../../http/create-http-app.js'
import type { Logger } from '../../common/logger.js'
import { AuthenticationFailed, NotFound, TokenNotValid } from '../../common/errors/index.js'
import { identityFault } from './errors.js'
import { PolicyEnforcer } from '../../policy/index.js'
import { IDENTITY_POLICIES } from './policies.js'
import type { IdentityDeps } from './identity-deps.js'
import { registerAuthRoutes } from './routes/auth.js'
import { registerCatalogRoutes } from './routes/catalog.js'
import { registerCatalogAdminRoutes } from './routes/catalog-admin.js'
import { registerCredentialRoutes } from './routes/credentials.js'
import { registerGroupRoutes } from './routes/groups.js'
import { registerProjectTagRoutes } from './routes/project-tags.js'
import { registerEc2TokenRoutes } from './routes/ec2tokens.js'
import { registerRoleInferenceRoutes } from './routes/role-inferences.js'
import { registerProjectRoutes } from './routes/projects.js'
import { registerRoleRoutes } from './routes/roles.js'
import { registerUserRoutes } from './routes/users.js'
import { validateToken } from './token-service.js'

const VERSION = {
  id: 'v3.14',
  status: 'stable',
  updated: '2020-04-07T00:00:00Z',
  'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route needs no X-Auth-Token. */
    public?: boolean
  }
}

/**
 * The identity service's HTTP application (Keystone v3 subset), built without listening. Every route but
 * discovery and token issue needs a valid X-Auth-Token; failures answer 401 with WWW-Authenticate, in
 * Keystone's error shape.
 */
export function createIdentityApp(
  deps: IdentityDeps,
  logger: Logger,
  policy: PolicyEnforcer = new PolicyEnforcer(IDENTITY_POLICIES),
): FastifyInstance {
  // HEAD routes are declared where Keystone has them (token check, grant check), not derived from GETs.
  const app = createHttpApp({ logger, requestIdHeaders: ['x-openstack-request-id'], exposeHeadRoutes: false })
  const base = deps.settings.publicUrl
  app.decorate('policy', policy)

  app.addHook('preHandler', async (request) => {
    if (request.routeOptions.config.public === true) return
    const token = request.headers['x-auth-token']
    if (typeof token !== 'string' || token === '') throw new AuthenticationFailed({})
    request.caller = await validateToken(deps, token).catch((error: unknown) => {
      if (error instanceof TokenNotValid) throw new AuthenticationFailed({})
      throw error
    })
  })
  app.get('/', { config: { public: true } }, async (_request, reply) =>
    reply
      .status(300)
      .send({ versions: { values: [{ ...VERSION, links: [{ rel: 'self', href: `${base}/v3/` }] }] } }),
  )
  for (const path of ['/v3', '/v3/']) {
    app.get(path, { config: { public: true } }, async () => ({
      version: { ...VERSION, links: [{ rel: 'self', href: `${base}/v3/` }] },
    }))
  }
  registerAuthRoutes(app, deps)
  registerProjectRoutes(app, deps)
  registerUserRoutes(app, deps)
  registerRoleRoutes(app, deps)
  registerCatalogRoutes(app, deps)
  registerCatalogAdminRoutes(app, deps)
  registerCredentialRoutes(app, deps)
  registerGroupRoutes(app, deps)
  registerProjectTagRoutes(app, deps)
  registerEc2TokenRoutes(app, deps)
  registerRoleInferenceRoutes(app, deps)

  app.setNotFoundHandler({ preHandler: async () => undefined }, async (request) => {
    throw new NotFound(
      `The resource could not be found. (${request.method} ${request.url.replace(/\?.*/, '')})`,
    )
  })
  app.setErrorHandler(async (error, request, reply) => {
    const fault = identityFault(error, request.id)
    if (fault.status === 401) reply.header('www-authenticate', `Keystone uri="${base}/v3"`)
    if (fault.status >= 500)
      logger.error({ err: error, request_id: request.id }, 'unexpected identity API error')
    await reply.status(fault.status).send(fault.body)
  })
  return app
}
