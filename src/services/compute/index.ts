import type { Logger } from '../../common/logger.js'
import type { MessageBus } from '../../bus/index.js'
import type { PeriodicTask } from '../../service/periodic.js'
import { patientRegistry } from '../../service/patient-registry.js'
import { createRpcService } from '../../service/rpc-service.js'
import type { Service } from '../../service/service.js'
import type { ConductorClient } from '../conductor/client.js'
import { ComputeNodeReporter, type PlacementClient } from '../placement/client.js'
import { COMPUTE_RPC_VERSION, COMPUTE_TOPIC } from './client.js'
import type { HypervisorDriver } from './driver/driver.js'
import { ComputeManager } from './manager.js'
import { ResourceTracker, type ResourceTrackerSettings } from './resource-tracker.js'

export { loadComputeDriver, COMPUTE_DRIVERS } from './drivers/index.js'
export { resourceTrackerSettings, ResourceTracker, type ResourceTrackerSettings } from './resource-tracker.js'

/** Nova's default spacing of periodic tasks, used when `update_resources_interval` is 0. */
const DEFAULT_PERIODIC_SPACING_S = 60

export interface ComputeServiceOptions {
  readonly host: string
  readonly bus: MessageBus
  /** nova-compute has no database access: it registers and heartbeats through the conductor. */
  readonly conductor: ConductorClient
  readonly reportIntervalS: number
  readonly serviceVersion: number
  readonly logger: Logger
  /** The hypervisor (`compute_driver`). */
  readonly driver: HypervisorDriver
  /** Placement, for the resource tracker's provider reports; undefined: not reported. */
  readonly placement: PlacementClient | undefined
  readonly resources: ResourceTrackerSettings
  /** `[DEFAULT] update_resources_interval`: > 0 seconds; 0 the default spacing; < 0 only at start. */
  readonly updateResourcesIntervalS: number
}

export interface ComputeService extends Service {
  readonly driver: HypervisorDriver
  readonly resourceTracker: ResourceTracker
}

/**
 * nova-compute: serves `compute.<host>`; on start initialises the driver (init_host) and runs the resource
 * tracker once, then every update_resources_interval. Serves build_and_run_instance and terminate_instance (manager.ts).
 */
export function createComputeService(options: ComputeServiceOptions): ComputeService {
  const stopping = new AbortController()
  const { driver, logger } = options
  const tracker = new ResourceTracker({
    host: options.host,
    driver,
    conductor: options.conductor,
    reporter: options.placement === undefined ? undefined : new ComputeNodeReporter(options.placement),
    settings: options.resources,
    logger,
  })
  const periodicTasks: PeriodicTask[] =
    options.updateResourcesIntervalS < 0
      ? []
      : [
          {
            name: 'update_available_resource',
            spacingS:
              options.updateResourcesIntervalS === 0
                ? DEFAULT_PERIODIC_SPACING_S
                : options.updateResourcesIntervalS,
            run: (ctx) => tracker.update(ctx),
          },
        ]
  const service = createRpcService({
    identity: {
      host: options.host,
      binary: 'nova-compute',
      topic: COMPUTE_TOPIC,
      version: options.serviceVersion,
    },
    rpcVersion: COMPUTE_RPC_VERSION,
    endpoints: new ComputeManager({
      host: options.host,
      driver,
      conductor: options.conductor,
      tracker,
      placement: options.placement,
      logger,
    }).endpoints(),
    bus: options.bus,
    registry: patientRegistry(options.conductor, logger, stopping.signal),
    reportIntervalS: options.reportIntervalS,
    periodicTasks,
    logger,
    beforeServing: async (ctx) => {
      await driver.initHost(options.host)
      // Nova's pre_start_hook: a failure here is logged, the periodic task tries again.
      await tracker
        .update(ctx)
        .catch((error: unknown) => logger.error({ err: error }, 'the first resource update failed'))
    },
    afterStopping: () => driver.cleanupHost(),
  })
  return {
    binary: service.binary,
    driver,
    resourceTracker: tracker,
    start: () => service.start(),
    async stop(drainMs) {
      stopping.abort()
      await service.stop(drainMs)
    },
  }
}
