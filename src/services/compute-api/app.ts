import type { FastifyInstance } from 'fastify'
import { createHttpApp } from '../../http/create-http-app.js'
import type { Logger } from '../../common/logger.js'
import { NotFound } from '../../common/errors/index.js'
import { PolicyEnforcer } from '../../policy/index.js'
import { requireTokens, type TokenChecker } from './auth.js'
import { ApiFault, faultFor } from './faults.js'
import { formatVersion, negotiate } from './microversion.js'
import { COMPUTE_POLICIES } from './policies.js'
import { callerFrom } from './request.js'
import { registerFlavorAccessRoutes } from './routes/flavor-access.js'
import { registerExtraSpecRoutes } from './routes/flavor-extra-specs.js'
import { registerFlavorRoutes } from './routes/flavors.js'
import { registerKeypairRoutes } from './routes/keypairs.js'
import type { ComputeApiDeps } from './routing.js'
import type { AdminDeps } from './admin/deps.js'
import { registerAdminRoutes } from './admin/routes.js'
import { registerSupportRoutes } from './admin/support-routes.js'
import { registerImageProxyRoutes, type ImageProxyDeps } from './images/routes.js'
import type { ServerDeps } from './servers/deps.js'
import { registerServerExtraRoutes } from './servers/extras.js'
import { registerServerRoutes } from './servers/routes.js'
import { versionDocument, versionsDocument } from './versions.js'

export interface ComputeApiAppOptions {
  readonly logger: Logger
  /** Base URL for links when the API sits behind a proxy (`[api] compute_link_prefix`); else from the request. */
  readonly linkPrefix?: string
  /** Token checking (keystonemiddleware); without it (noauth2) `X-Auth-Token: user:project` names the caller. */
  readonly auth?: { readonly checker: TokenChecker; readonly identityUri: string }
  /** The policy (defaults + `[oslo_policy] policy_file`); Nova's defaults when absent. */
  readonly policy?: PolicyEnforcer
  /** The resources' stores; without them only the version documents are served. */
  readonly deps?: Omit<ComputeApiDeps, 'settings'> & {
    readonly maxLimit?: number
    readonly keypairQuota?: number
    /** The admin resources (os-services, os-hypervisors, …); absent → not served. */
    readonly admin?: AdminDeps
    /** Servers and the build flow; absent → not served. */
    readonly servers?: ServerDeps
    /** The images proxy and image metadata (the image service with the caller's token); absent → not served. */
    readonly images?: ImageProxyDeps
  }
}

const VERSION_HEADER = 'openstack-api-version'
const LEGACY_VERSION_HEADER = 'x-openstack-nova-api-version'

/** Paths of the legacy v2.0 mount: no microversion headers in or out. */
const isLegacyV2 = (url: string): boolean => /^\/v2(\/|$|\?)/.test(url)

/**
 * Builds the compute API application without listening (tests call it through `inject`). Every response
 * carries `x-openstack-request-id`; every request under v2.1 runs at a negotiated microversion echoed in
 * both version headers; every error leaves through the one fault translation in faults.ts.
 */
export function createComputeApiApp(options: ComputeApiAppOptions): FastifyInstance {
  const app = createHttpApp({
    logger: options.logger,
    requestIdHeaders: ['x-openstack-request-id', 'x-compute-request-id'],
  })
  const policy = options.policy ?? new PolicyEnforcer(COMPUTE_POLICIES)
  if (options.auth !== undefined) requireTokens(app, options.auth.checker, options.auth.identityUri)

  app.addHook('onRequest', async (request, reply) => {
    if (isLegacyV2(request.url)) return
    const version = negotiate(request.headers)
    request.computeVersion = version
    reply.header('openstack-api-version', `compute ${formatVersion(version)}`)
    reply.header('x-openstack-nova-api-version', formatVersion(version))
    reply.header('vary', `${VERSION_HEADER}, ${LEGACY_VERSION_HEADER}`)
  })
  app.addHook('preHandler', async (request) => {
    request.computeCaller = callerFrom(request, policy)
    const urlProject = (request.params as { project_id?: string } | undefined)?.project_id
    const caller = request.computeCaller
    if (urlProject !== undefined && caller !== undefined && urlProject !== caller.projectId)
      throw new ApiFault(
        400,
        `Malformed request URL: URL's project_id '${urlProject}' doesn't match Context's project_id '${caller.projectId}'`,
      )
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

  if (options.deps !== undefined) {
    const deps: ComputeApiDeps = {
      flavors: options.deps.flavors,
      keypairs: options.deps.keypairs,
      settings: {
        policy,
        maxLimit: options.deps.maxLimit ?? 1000,
        keypairQuota: options.deps.keypairQuota ?? 100,
        ...(options.linkPrefix === undefined ? {} : { linkPrefix: options.linkPrefix }),
      },
    }
    registerFlavorRoutes(app, deps)
    registerExtraSpecRoutes(app, deps)
    registerFlavorAccessRoutes(app, deps)
    registerKeypairRoutes(app, deps)
    if (options.deps.admin !== undefined) {
      registerAdminRoutes(app, deps, options.deps.admin)
      registerSupportRoutes(app, deps, options.deps.admin)
    }
    if (options.deps.servers !== undefined) {
      registerServerRoutes(app, deps, options.deps.servers)
      registerServerExtraRoutes(app, deps, options.deps.servers)
    }
    if (options.deps.images !== undefined) registerImageProxyRoutes(app, deps, options.deps.images)
  }

  app.setNotFoundHandler(async (request) => {
    throw new NotFound(
      `The resource could not be found. (${request.method} ${request.url.replace(/\?.*/, '')})`,
    )
  })
  app.setErrorHandler(async (error, request, reply) => {
    const fault = faultFor(error, request.id)
    if (fault.status >= 500)
      options.logger.error({ err: error, request_id: request.id }, 'unexpected API error')
    await reply.status(fault.status).send(fault.body)
  })
  return app
}
