import type { RequestContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import type { MessageBus } from '../../bus/index.js'
import type { PeriodicTask } from '../../service/periodic.js'
import { patientRegistry } from '../../service/patient-registry.js'
import { createRpcService } from '../../service/rpc-service.js'
import type { Service } from '../../service/service.js'
import type { ConductorClient } from '../conductor/client.js'
import type { ImageClient } from '../image/client.js'
import { ComputeNodeReporter, type PlacementClient } from '../placement/client.js'
import { ComputeClient, COMPUTE_RPC_VERSION, COMPUTE_TOPIC } from './client.js'
import type { HypervisorDriver, ImageCacheReport } from './driver/driver.js'
import {
  IMAGE_CACHE_DEFAULTS,
  imageCacheManagerTasks,
  runImageCacheManagerPass,
  type ImageCacheManagerSettings,
} from './image-cache-pass.js'
import { InstanceActions } from './instance-actions.js'
import { ComputeManager } from './manager.js'
import { moveOperationEndpoints, type MoveOperationDeps } from './operations/index.js'
import { offloadOverdueShelved } from './operations/shelve-snapshot.js'
import { healAllocations, initInstances, syncPowerStates, type RecoveryDeps } from './recovery.js'
import { destroyEvacuatedInstances, openEvacuations } from './evacuated.js'
import { ResourceTracker, type ResourceTrackerSettings } from './resource-tracker.js'
import { supportEndpoints } from './support-ops.js'

export { loadComputeDriver, COMPUTE_DRIVERS } from './drivers/index.js'
export { LEFT_IN_BUILD_MESSAGE } from './recovery.js'
export { imageCacheSettings, type ImageCacheManagerSettings } from './image-cache-pass.js'
export { resourceTrackerSettings, ResourceTracker, type ResourceTrackerSettings } from './resource-tracker.js'

/** Nova's `[DEFAULT] shelved_poll_interval` default: how often shelved instances are looked at, at most. */
const SHELVED_POLL_INTERVAL_S = 3600

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
  /** `[DEFAULT] sync_power_state_interval`: > 0 seconds; 0 the default spacing; < 0 never. Default 600. */
  readonly syncPowerStateIntervalS?: number
  /** `[DEFAULT] reclaim_instance_interval`: > 0 reclaims soft-deleted instances that often. Default 0. */
  readonly reclaimInstanceIntervalS?: number
  /** The image service for snapshots and shelved images; undefined: shelve keeps no image, createImage fails. */
  readonly images?: ImageClient
  /** `[DEFAULT] shutdown_timeout`: how long a clean stop waits for the guest (default 60). */
  readonly shutdownTimeoutS?: number
  /** `[DEFAULT] shelved_offload_time` (default 0: offload at once). */
  readonly shelvedOffloadTimeS?: number
  /** `[DEFAULT] force_config_drive`: every instance built here gets a config drive. */
  readonly forceConfigDrive?: boolean
  /** `[image_cache]`: the periodic aging of the driver's image cache (default: Nova's defaults). */
  readonly imageCache?: ImageCacheManagerSettings
}

export interface ComputeService extends Service {
  readonly driver: HypervisorDriver
  readonly resourceTracker: ResourceTracker
  /** One run of the reclaim of soft-deleted instances (Nova's _reclaim_queued_deletes). */
  reclaimQueuedDeletes(ctx: RequestContext): Promise<void>
  /** One run of the power-state sync periodic task (Nova's _sync_power_states). */
  syncPowerStates(ctx: RequestContext): Promise<void>
  /** The start-up recovery (Nova's _init_instance for each instance of the host), then the allocation heal. */
  recover(ctx: RequestContext): Promise<void>
  /** One pass of the image cache manager; undefined for a driver without an image cache. */
  manageImageCache(): Promise<ImageCacheReport | undefined>
}

/**
 * nova-compute: serves `compute.<host>`; on start initialises the driver (init_host) and runs the resource
 * tracker once, then every update_resources_interval. Before serving it settles the instances a crash left
 * mid-operation and heals its allocations (recovery.ts); syncs power states every sync_power_state_interval.
 * Serves build_and_run_instance and terminate_instance (manager.ts) and the server actions (instance-actions.ts).
 */
export function createComputeService(options: ComputeServiceOptions): ComputeService {
  const stopping = new AbortController()
  const { driver, logger } = options
  const reporter = options.placement === undefined ? undefined : new ComputeNodeReporter(options.placement)
  const tracker = new ResourceTracker({
    host: options.host,
    driver,
    conductor: options.conductor,
    reporter,
    settings: options.resources,
    logger,
  })
  const computeClient = new ComputeClient({ bus: options.bus, timeoutMs: 60_000 })
  const recovery: RecoveryDeps = {
    host: options.host,
    driver,
    conductor: options.conductor,
    tracker,
    placement: options.placement,
    reporter,
    logger,
    compute: computeClient,
  }
  const moveDeps: MoveOperationDeps = {
    host: options.host,
    driver,
    conductor: options.conductor,
    compute: computeClient,
    tracker,
    placement: options.placement,
    images: options.images,
    shelvedOffloadTimeS: options.shelvedOffloadTimeS ?? 0,
    logger,
  }
  const spacing = (interval: number) => (interval === 0 ? DEFAULT_PERIODIC_SPACING_S : interval)
  const syncInterval = options.syncPowerStateIntervalS ?? 600
  const actions = new InstanceActions({
    host: options.host,
    driver,
    conductor: options.conductor,
    logger,
    ...(options.shutdownTimeoutS === undefined ? {} : { shutdownTimeoutS: options.shutdownTimeoutS }),
  })
  const reclaimInterval = options.reclaimInstanceIntervalS ?? 0
  const imageCache = options.imageCache ?? IMAGE_CACHE_DEFAULTS
  const periodicTasks: PeriodicTask[] = [
    ...(moveDeps.shelvedOffloadTimeS > 0
      ? [
          {
            name: '_poll_shelved_instances',
            spacingS: Math.max(1, Math.min(SHELVED_POLL_INTERVAL_S, moveDeps.shelvedOffloadTimeS)),
            run: (ctx: RequestContext) => offloadOverdueShelved(moveDeps, ctx, new Date()),
          },
        ]
      : []),
    ...(options.updateResourcesIntervalS < 0
      ? []
      : [
          {
            name: 'update_available_resource',
            spacingS: spacing(options.updateResourcesIntervalS),
            run: (ctx: RequestContext) => tracker.update(ctx),
          },
        ]),
    ...(syncInterval < 0
      ? []
      : [
          {
            name: '_sync_power_states',
            spacingS: spacing(syncInterval),
            run: (ctx: RequestContext) => syncPowerStates(recovery, ctx),
          },
        ]),
    ...(reclaimInterval <= 0
      ? []
      : [
          {
            name: '_reclaim_queued_deletes',
            spacingS: reclaimInterval,
            run: (ctx: RequestContext) => actions.reclaimQueuedDeletes(ctx, reclaimInterval),
          },
        ]),
    ...imageCacheManagerTasks(driver, imageCache, logger, DEFAULT_PERIODIC_SPACING_S),
  ]
  const service = createRpcService({
    identity: {
      host: options.host,
      binary: 'nova-compute',
      topic: COMPUTE_TOPIC,
      version: options.serviceVersion,
    },
    rpcVersion: COMPUTE_RPC_VERSION,
    endpoints: {
      ...new ComputeManager({
        host: options.host,
        driver,
        conductor: options.conductor,
        tracker,
        placement: options.placement,
        logger,
        ...(options.forceConfigDrive === undefined ? {} : { forceConfigDrive: options.forceConfigDrive }),
      }).endpoints(),
      ...supportEndpoints({ host: options.host, driver, conductor: options.conductor, logger }),
      ...actions.endpoints(),
      ...moveOperationEndpoints(moveDeps),
    },
    bus: options.bus,
    registry: patientRegistry(options.conductor, logger, stopping.signal),
    reportIntervalS: options.reportIntervalS,
    periodicTasks,
    logger,
    beforeServing: async (ctx) => {
      await driver.initHost(options.host)
      const evacuations = await openEvacuations(recovery, ctx).catch((error: unknown) => {
        logger.error({ err: error }, 'the evacuations from this host could not be read')
        return []
      })
      const evacuated = new Set(evacuations.map((e) => e.migration.instance_uuid))
      // Nova's init_host: instances left mid-operation by a crash are settled before anything is served.
      await initInstances(recovery, ctx, evacuated).catch((error: unknown) =>
        logger.error({ err: error }, 'the recovery of the instances failed'),
      )
      // Nova's pre_start_hook: a failure here is logged, the periodic task tries again.
      await tracker
        .update(ctx)
        .catch((error: unknown) => logger.error({ err: error }, 'the first resource update failed'))
      await destroyEvacuatedInstances(recovery, ctx, evacuations).catch((error: unknown) =>
        logger.error({ err: error }, 'the clean-up after evacuated instances failed'),
      )
      await healAllocations(recovery, ctx).catch((error: unknown) =>
        logger.error({ err: error }, 'healing the allocations failed'),
      )
    },
    afterStopping: () => driver.cleanupHost(),
  })
  return {
    binary: service.binary,
    driver,
    resourceTracker: tracker,
    syncPowerStates: (ctx) => syncPowerStates(recovery, ctx),
    reclaimQueuedDeletes: (ctx) => actions.reclaimQueuedDeletes(ctx, reclaimInterval),
    manageImageCache: () => runImageCacheManagerPass(driver, imageCache, logger),
    async recover(ctx) {
      const evacuations = await openEvacuations(recovery, ctx)
      await initInstances(recovery, ctx, new Set(evacuations.map((e) => e.migration.instance_uuid)))
      await tracker.update(ctx)
      await destroyEvacuatedInstances(recovery, ctx, evacuations)
      await healAllocations(recovery, ctx)
    },
    start: () => service.start(),
    async stop(drainMs) {
      stopping.abort()
      await service.stop(drainMs)
    },
  }
}
