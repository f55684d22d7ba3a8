import { existsSync } from 'node:fs'
import type { Logger } from '../../common/logger.js'
import type { Database } from '../../db/index.js'
import { closeHttp, listenHttp } from '../../http/serve.js'
import { PolicyEnforcer, readPolicyFile } from '../../policy/index.js'
import type { Service } from '../../service/service.js'
import type { TokenChecker } from '../identity/client.js'
import { createPlacementApp } from './app.js'
import type { PlacementDeps } from './placement-deps.js'
import { PLACEMENT_POLICIES } from './policies.js'
import { createPlacementDeps } from './store/create-deps.js'

export interface PlacementServiceOptions {
  readonly db: Database<unknown>
  readonly listen: string
  readonly port: number
  readonly settings: PlacementDeps['settings']
  readonly policyFile?: string
  readonly auth?: {
    readonly checker: () => Promise<TokenChecker & { stop(): Promise<void> }>
    readonly identityUri: string
  }
  readonly logger: Logger
}

/** The placement service (openstack/placement's API), binary `placement-api`. */
export function createPlacementService(options: PlacementServiceOptions): Service {
  let app: ReturnType<typeof createPlacementApp> | undefined
  let checker: (TokenChecker & { stop(): Promise<void> }) | undefined
  let url = ''
  return {
    binary: 'placement-api',
    async start() {
      const deps = createPlacementDeps(options.db, options.settings)
      await deps.traits.syncStandard()
      if (options.auth !== undefined) checker = await options.auth.checker()
      const overrides =
        options.policyFile !== undefined && existsSync(options.policyFile)
          ? readPolicyFile(options.policyFile)
          : new Map<string, string>()
      app = createPlacementApp(deps, {
        logger: options.logger,
        policy: new PolicyEnforcer(PLACEMENT_POLICIES, overrides),
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
    endpoints: () => [`placement               ${url}`],
  }
}
