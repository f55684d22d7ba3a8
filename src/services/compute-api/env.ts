import type { MessageBus } from '../../bus/index.js'
import type { Clock } from '../../common/clock.js'
import type { Logger } from '../../common/logger.js'
import type { NovaConfig } from '../../config/index.js'
import type { Database } from '../../db/index.js'
import type { ServiceRegistry } from '../../service/service-registry.js'

/** What nova-api's resource groups may build their dependencies from (the composition root fills it). */
export interface ComputeApiEnv {
  readonly config: NovaConfig
  readonly mainDb: Database<unknown>
  readonly apiDb: Database<unknown>
  readonly bus: MessageBus
  readonly registry: ServiceRegistry
  readonly clock: Clock
  readonly logger: Logger
}
