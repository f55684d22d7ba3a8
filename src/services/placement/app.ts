import type { FastifyInstance } from 'fastify'
import type { Logger } from '../../common/logger.js'
import { createHttpApp } from '../../http/create-http-app.js'
import { PolicyEnforcer } from '../../policy/index.js'
import { credentialsOf, requireTokens, type TokenChecker } from '../identity/client.js'
import { errorDocument, PlacementError } from './errors.js'
import { MAX_MINOR, MIN_MINOR, negotiateMicroversion, versionHeader } from './microversion.js'
import type { PlacementDeps } from './placement-deps.js'
import { PLACEMENT_POLICIES, ROUTE_POLICIES } from './policies.js'
import { atLeast, mv } from './request-helpers.js'
import { registerAggregateRoutes } from './routes/aggregates.js'
import { registerCandidateRoutes } from './routes/allocation-candidates.js'
import { registerAllocationRoutes } from './routes/allocations.js'
import { registerInventoryRoutes } from './routes/inventories.js'
import { registerProviderRoutes } from './routes/resource-providers.js'
import { registerResourceClassRoutes } from './routes/resource-classes.js'
import { registerReshaperRoutes } from './routes/reshaper.js'
import { registerTraitRoutes } from './routes/traits.js'
import { registerUsageRoutes } from './routes/usages.js'

export interface PlacementAppOptions {
  readonly logger: Logger
  readonly auth?: { readonly checker: TokenChecker; readonly identityUri: string }
  readonly policy?: PolicyEnforcer
}

/** The placement service's HTTP application (openstack/placement 1.0–1.39), built without listening. */
export function createPlacementApp(deps: PlacementDeps, options: PlacementAppOptions): FastifyInstance {
  const app = createHttpApp({
    logger: options.logger,
    requestIdHeaders: ['openstack-request-id', 'x-openstack-request-id'],
  })
  const policy = options.policy ?? new PolicyEnforcer(PLACEMENT_POLICIES)
  if (options.auth !== undefined)
    requireTokens(app, options.auth.checker, options.auth.identityUri, (path) => path !== '/' && path !== '')

  app.addHook('onRequest', async (request, reply) => {
    reply.header('vary', 'openstack-api-version')
    request.placementVersion = negotiateMicroversion(request.headers['openstack-api-version'])
    reply.header('openstack-api-version', versionHeader(request.placementVersion))
  })
  app.addHook('preHandler', async (request) => {
    const rule =
      ROUTE_POLICIES[
        `${request.method === 'HEAD' ? 'GET' : request.method} ${request.routeOptions.url ?? ''}`
      ]
    if (rule === undefined || options.auth === undefined) return
    const token = request.token
    if (token === undefined || !policy.authorize(rule, {}, credentialsOf(token)))
      throw new PlacementError(403, `Policy does not allow ${rule} to be performed.`)
  })
  app.addHook('onSend', async (request, reply, payload) => {
    // Cache headers from 1.15: placement answers are never cached.
    if (request.method === 'GET' && reply.statusCode === 200 && atLeast(request, 15)) {
      reply.header('cache-control', 'no-cache')
      reply.header('last-modified', new Date().toUTCString())
    }
    return payload
  })

  app.get('/', async () => ({
    versions: [
      {
        id: 'v1.0',
        max_version: `1.${MAX_MINOR}`,
        min_version: `1.${MIN_MINOR}`,
        status: 'CURRENT',
        links: [{ rel: 'self', href: '' }],
      },
    ],
  }))
  registerProviderRoutes(app, deps)
  registerInventoryRoutes(app, deps)
  registerAggregateRoutes(app, deps)
  registerTraitRoutes(app, deps)
  registerResourceClassRoutes(app, deps)
  registerAllocationRoutes(app, deps)
  registerUsageRoutes(app, deps)
  registerCandidateRoutes(app, deps)
  registerReshaperRoutes(app, deps)

  app.setNotFoundHandler(async (request, reply) => {
    const error = new PlacementError(
      404,
      `The resource could not be found. (${request.method} ${request.url.replace(/\?.*/, '')})`,
    )
    await reply.status(404).send(errorDocument(error, request.id, atLeast(request, 23)))
  })
  app.setErrorHandler(async (error, request, reply) => {
    let failure: PlacementError
    const e = error as { statusCode?: number; code?: string; validation?: unknown; message?: string }
    if (error instanceof PlacementError) failure = error
    else if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.validation !== undefined)
      failure = new PlacementError(400, `Malformed JSON: ${e.message ?? 'the body is not valid JSON'}`)
    else if (e.statusCode === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      failure = new PlacementError(415, 'The media type of the body is not supported: use application/json.')
    else {
      options.logger.error({ err: error, request_id: request.id }, 'unexpected placement API error')
      failure = new PlacementError(500, `An unexpected error occurred. (request id ${request.id})`)
    }
    if (request.placementVersion === undefined)
      reply.header('openstack-api-version', `placement 1.${MIN_MINOR}`)
    await reply
      .status(failure.status)
      .send(
        errorDocument(failure, request.id, request.placementVersion !== undefined && mv(request).minor >= 23),
      )
  })
  return app
}
