import { existsSync } from 'node:fs'
import type { Logger } from '../../common/logger.js'
import { adminContext } from '../../common/context.js'
import type { Database } from '../../db/index.js'
import { PolicyEnforcer, readPolicyFile } from '../../policy/index.js'
import type { Service } from '../../service/service.js'
import type { ServiceRegistry } from '../../service/service-registry.js'
import { createComputeApiApp } from './app.js'
import type { TokenChecker } from './auth.js'
import { COMPUTE_POLICIES } from './policies.js'
import { FlavorStore } from './store/flavors.js'
import { KeyPairStore } from './store/keypairs.js'
import { closeHttp, listenHttp } from '../../http/serve.js'
import { createAdminDeps } from './admin/deps.js'
import type { ComputeApiEnv } from './env.js'
import { createImageProxyDeps } from './images/deps.js'
import { createServerDeps } from './servers/deps.js'

export interface ComputeApiServiceOptions {
  readonly host: string
  /** `[DEFAULT] osapi_compute_listen` / `osapi_compute_listen_port`. */
  readonly listen: string
  readonly port: number
  readonly linkPrefix?: string
  /** Started when the service starts (it needs the Fernet keys identity creates). */
  readonly auth?: {
    readonly checker: () => Promise<TokenChecker & { stop(): Promise<void> }>
    readonly identityUri: string
  }
  /** The API database (flavors, key pairs); without it only the version documents are served. */
  readonly apiDb?: Database<unknown>
  /** `[oslo_policy] policy_file`, resolved; absent or missing → Nova's defaults. */
  readonly policyFile?: string
  /** `[api] max_limit`. */
  readonly maxLimit?: number
  /** `[quota] key_pairs`. */
  readonly keypairQuota?: number
  /** Databases, bus and config for the admin resources and servers; without it they are not served. */
  readonly env?: ComputeApiEnv
  readonly registry: ServiceRegistry
  readonly serviceVersion: number
  readonly logger: Logger
}

/** nova-api's compute endpoint (binary `nova-osapi_compute`, as Nova records it in `services`). */
export function createComputeApiService(options: ComputeApiServiceOptions): Service {
  let app: ReturnType<typeof createComputeApiApp> | undefined
  let checker: (TokenChecker & { stop(): Promise<void> }) | undefined
  let url = ''
  return {
    binary: 'nova-osapi_compute',
    async start() {
      await options.registry.register(adminContext(), {
        host: options.host,
        binary: 'nova-osapi_compute',
        topic: undefined,
        version: options.serviceVersion,
      })
      if (options.auth !== undefined) checker = await options.auth.checker()
      const overrides =
        options.policyFile !== undefined && existsSync(options.policyFile)
          ? readPolicyFile(options.policyFile)
          : new Map<string, string>()
      app = createComputeApiApp({
        logger: options.logger,
        policy: new PolicyEnforcer(COMPUTE_POLICIES, overrides),
        ...(options.linkPrefix === undefined ? {} : { linkPrefix: options.linkPrefix }),
        ...(checker === undefined || options.auth === undefined
          ? {}
          : { auth: { checker, identityUri: options.auth.identityUri } }),
        ...(options.apiDb === undefined
          ? {}
          : {
              deps: {
                flavors: new FlavorStore(options.apiDb),
                keypairs: new KeyPairStore(options.apiDb),
                ...(options.maxLimit === undefined ? {} : { maxLimit: options.maxLimit }),
                ...(options.keypairQuota === undefined ? {} : { keypairQuota: options.keypairQuota }),
                ...(options.env === undefined
                  ? {}
                  : {
                      admin: createAdminDeps(options.env),
                      servers: createServerDeps(options.env),
                      images: createImageProxyDeps(options.env),
                    }),
              },
            }),
      })
      url = await listenHttp(app, options.listen, options.port)
    },
    async stop(drainMs) {
      await closeHttp(app, drainMs)
      await checker?.stop()
    },
    endpoints: () => [`compute API (nova-api)  ${url}/v2.1`],
  }
}
