import type { Logger } from '../../common/logger.js'
import type { MessageBus } from '../../bus/index.js'
import { patientRegistry } from '../../service/patient-registry.js'
import { createRpcService } from '../../service/rpc-service.js'
import type { Service } from '../../service/service.js'
import type { ConductorClient } from '../conductor/client.js'
import { COMPUTE_RPC_VERSION, COMPUTE_TOPIC } from './client.js'

export interface ComputeServiceOptions {
  readonly host: string
  readonly bus: MessageBus
  /** nova-compute has no database access: it registers and heartbeats through the conductor. */
  readonly conductor: ConductorClient
  readonly reportIntervalS: number
  readonly serviceVersion: number
  readonly logger: Logger
}

/** nova-compute: serves `compute.<host>`; hypervisor drivers and instance operations plug in with the compute issue. */
export function createComputeService(options: ComputeServiceOptions): Service {
  const stopping = new AbortController()
  const service = createRpcService({
    identity: {
      host: options.host,
      binary: 'nova-compute',
      topic: COMPUTE_TOPIC,
      version: options.serviceVersion,
    },
    rpcVersion: COMPUTE_RPC_VERSION,
    endpoints: {},
    bus: options.bus,
    registry: patientRegistry(options.conductor, options.logger, stopping.signal),
    reportIntervalS: options.reportIntervalS,
    logger: options.logger,
  })
  return {
    binary: service.binary,
    start: () => service.start(),
    async stop(drainMs) {
      stopping.abort()
      await service.stop(drainMs)
    },
  }
}
