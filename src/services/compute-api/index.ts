import type { Logger } from '../../common/logger.js'
import { adminContext } from '../../common/context.js'
import type { Service } from '../../service/service.js'
import type { ServiceRegistry } from '../../service/service-registry.js'
import { createComputeApiApp } from './app.js'
import type { TokenChecker } from './auth.js'
import { closeHttp, listenHttp } from '../../http/serve.js'

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
      app = createComputeApiApp({
        logger: options.logger,
        ...(options.linkPrefix === undefined ? {} : { linkPrefix: options.linkPrefix }),
        ...(checker === undefined || options.auth === undefined
          ? {}
          : { auth: { checker, identityUri: options.auth.identityUri } }),
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
