import type { Logger } from '../../common/logger.js'
import type { MessageBus } from '../../bus/index.js'
import { createRpcService } from '../../service/rpc-service.js'
import type { Service } from '../../service/service.js'
import type { ServiceRegistry } from '../../service/service-registry.js'
import { SCHEDULER_RPC_VERSION, SCHEDULER_TOPIC } from './client.js'

export interface SchedulerServiceOptions {
  readonly host: string
  readonly bus: MessageBus
  readonly registry: ServiceRegistry
  readonly reportIntervalS: number
  readonly serviceVersion: number
  readonly logger: Logger
}

/** nova-scheduler: serves the `scheduler` topic; host selection is added by the placement + scheduler issue. */
export function createSchedulerService(options: SchedulerServiceOptions): Service {
  return createRpcService({
    identity: {
      host: options.host,
      binary: 'nova-scheduler',
      topic: SCHEDULER_TOPIC,
      version: options.serviceVersion,
    },
    rpcVersion: SCHEDULER_RPC_VERSION,
    endpoints: {},
    bus: options.bus,
    registry: options.registry,
    reportIntervalS: options.reportIntervalS,
    logger: options.logger,
  })
}
