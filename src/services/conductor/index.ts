import type { Logger } from '../../common/logger.js'
import type { MessageBus } from '../../bus/index.js'
import { createRpcService } from '../../service/rpc-service.js'
import type { Service } from '../../service/service.js'
import type { ServiceRegistry } from '../../service/service-registry.js'
import { CONDUCTOR_RPC_VERSION, CONDUCTOR_TOPIC } from './client.js'
import type { ConductorDeps } from './conductor-deps.js'
import { conductorEndpoints } from './server.js'

export interface ConductorServiceOptions extends ConductorDeps {
  readonly host: string
  readonly bus: MessageBus
  readonly registry: ServiceRegistry
  readonly reportIntervalS: number
  readonly serviceVersion: number
  readonly logger: Logger
}

/** nova-conductor: the database proxy for computes and (from later issues) the orchestrator of builds and moves. */
export function createConductorService(options: ConductorServiceOptions): Service {
  return createRpcService({
    identity: {
      host: options.host,
      binary: 'nova-conductor',
      topic: CONDUCTOR_TOPIC,
      version: options.serviceVersion,
    },
    rpcVersion: CONDUCTOR_RPC_VERSION,
    endpoints: conductorEndpoints(options),
    bus: options.bus,
    registry: options.registry,
    reportIntervalS: options.reportIntervalS,
    logger: options.logger,
  })
}
