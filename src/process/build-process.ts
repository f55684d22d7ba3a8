import { systemClock, type Clock } from '../common/clock.js'
import type { Logger } from '../common/logger.js'
import type { NovaConfig } from '../config/index.js'
import { createBus, type MessageBus } from '../bus/index.js'
import {
  createComputeNodesRepository,
  createServicesRepository,
  openDatabase,
  type Database,
} from '../db/index.js'
import { DatabaseServiceRegistry } from '../service/database-service-registry.js'
import type { Service } from '../service/service.js'
import { ConductorClient } from '../services/conductor/client.js'
import { createConductorService, eventNotificationsFor } from '../services/conductor/index.js'
import { createComputeApiService } from '../services/compute-api/index.js'
import {
  createComputeService,
  imageCacheSettings,
  loadComputeDriver,
  resourceTrackerSettings,
} from '../services/compute/index.js'
import {
  createDbAggregateSource,
  createDbHostStateSource,
  createSchedulerService,
  selectionDepsFromConfig,
  SINGLE_CELL_UUID,
} from '../services/scheduler/index.js'
import { fetchTransport, PlacementClient, placementAccess } from '../services/placement/client.js'
import { createIdentityService } from '../services/identity/index.js'
import { createImageService } from '../services/image/index.js'
import { createPlacementService } from '../services/placement/index.js'
import { passwordTokenSource, TokenVerifier } from '../services/identity/client.js'
import {
  identityBootstrap,
  identityPublicUrl,
  identitySettings,
  imagePublicUrl,
} from '../services/identity/settings-from-config.js'
import { DATABASES_OF, START_ORDER, type Daemon } from './binaries.js'
import { databaseUrls } from '../db/database-urls.js'
import { ensureSchema } from './ensure-schema.js'
import { SERVICE_VERSION } from './service-version.js'
import { resolvePolicyFile } from './policy-file.js'
import { createBuildRequestsRepository } from '../db/repositories/build-requests.js'
import { createInstancesRepository } from '../db/repositories/instances.js'
import { createMovesRepository } from '../db/repositories/migrations.js'
import { ImageClient } from '../services/image/client.js'
import { imageEndpoint } from '../services/compute-api/images/deps.js'
import { createInstanceActionsRepository } from '../db/repositories/instance-actions.js'
import { SchedulerClient } from '../services/scheduler/client.js'
import { ComputeClient } from '../services/compute/client.js'

export interface BuildProcessOptions {
  readonly config: NovaConfig
  readonly daemons: readonly Daemon[]
  readonly logger: Logger
  /** nova-all on its embedded defaults brings the schema up to date itself; split daemons require db sync. */
  readonly autoSyncSchema: boolean
  readonly clock?: Clock
  /** nova-all: bootstrap identity on start with this admin password (idempotent). */
  readonly adminPassword?: string
  /** Directories of the configuration files read, where a relative `[oslo_policy] policy_file` is looked up. */
  readonly configDirs?: readonly string[]
  /** RabbitMQ queues unused this long are removed by the broker; tests set it so they leave nothing behind. */
  readonly queueExpiresMs?: number
}

/** The services of one process and the shared infrastructure they stand on. */
export interface ProcessParts {
  readonly services: readonly Service[]
  readonly bus: MessageBus
  /** Starts services in dependency order; on a failure stops what had started and rethrows. */
  start(): Promise<void>
  /** Stops services in reverse order (draining up to drainMs each), then closes the bus and databases. */
  stop(drainMs: number): Promise<void>
}

/**
 * The composition root: builds the bus, the databases and the selected services from configuration.
 * nova-all and each split daemon go through this same function; only the daemon list and config differ.
 */
export async function buildProcess(options: BuildProcessOptions): Promise<ProcessParts> {
  const { config, logger } = options
  const clock = options.clock ?? systemClock
  const daemons = START_ORDER.filter((d) => options.daemons.includes(d))
  const needs = new Set(daemons.flatMap((d) => DATABASES_OF[d]))
  const urls = databaseUrls(config)
  const closers: (() => Promise<void>)[] = []
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch(() => undefined)
    closers.length = 0
  }

  try {
    const databases: Partial<Record<'main' | 'api', Database<unknown>>> = {}
    for (const kind of ['main', 'api'] as const) {
      if (!needs.has(kind)) continue
      const db = await openDatabase<unknown>(urls[kind], { logger })
      closers.push(() => db.close())
      await ensureSchema(db, kind, { autoSync: options.autoSyncSchema, logger })
      databases[kind] = db
    }
    const bus = await createBus(config.DEFAULT.transport_url, {
      logger,
      controlExchange: config.DEFAULT.control_exchange,
      rabbit: {
        retryIntervalS: config.oslo_messaging_rabbit.rabbit_retry_interval,
        retryBackoffS: config.oslo_messaging_rabbit.rabbit_retry_backoff,
        intervalMaxS: config.oslo_messaging_rabbit.rabbit_interval_max,
        heartbeatTimeoutS: config.oslo_messaging_rabbit.heartbeat_timeout_threshold,
        ...(options.queueExpiresMs === undefined ? {} : { queueExpiresMs: options.queueExpiresMs }),
      },
    })
    closers.push(() => bus.close())

    const host = config.DEFAULT.host
    const common = {
      host,
      bus,
      reportIntervalS: config.DEFAULT.report_interval,
      serviceVersion: SERVICE_VERSION,
    }
    const timeoutMs = config.DEFAULT.rpc_response_timeout * 1000
    const services: Service[] = []
    /** How an API service starts its token verifier (it needs the Fernet keys identity creates). */
    const verifier = (log: Logger) => () =>
      TokenVerifier.start({
        db: need(databases.api),
        keyRepository: config.fernet_tokens.key_repository,
        bus,
        logger: log,
      })
    for (const daemon of daemons) {
      const log = logger.child({ service: daemon })
      const main = databases.main
      const servicesRepo = main === undefined ? undefined : createServicesRepository(main)
      const registry =
        servicesRepo === undefined ? undefined : new DatabaseServiceRegistry(servicesRepo, clock)
      switch (daemon) {
        case 'nova-identity':
          services.push(
            createIdentityService({
              db: need(databases.api),
              settings: identitySettings(config),
              keyRepository: config.fernet_tokens.key_repository,
              policyFile: resolvePolicyFile(config.oslo_policy.policy_file, options.configDirs ?? []),
              listen: config.identity.listen,
              port: config.identity.port,
              logger: log,
              bus,
              ...(options.adminPassword === undefined
                ? {}
                : { bootstrap: identityBootstrap(config, options.adminPassword) }),
            }),
          )
          break
        case 'nova-image':
          services.push(
            createImageService({
              db: need(databases.api),
              dataDir: config.glance_store.filesystem_store_datadir,
              listen: config.image.listen,
              port: config.image.port,
              publicUrl: imagePublicUrl(config),
              limits: {
                maxImageBytes: config.image.image_size_cap,
                imageCountPerProject: config.image.image_count_total,
                bytesPerProject: config.image.image_size_total * 1024 * 1024,
              },
              auth: {
                identityUri: `${identityPublicUrl(config)}/v3`,
                checker: verifier(log),
              },
              logger: log,
            }),
          )
          break
        case 'nova-placement':
          services.push(
            createPlacementService({
              db: need(databases.api),
              listen: config.placement.listen,
              port: config.placement.port,
              settings: {
                randomizeCandidates: config.placement.randomize_allocation_candidates,
                incompleteConsumerProjectId: config.placement.incomplete_consumer_project_id,
                incompleteConsumerUserId: config.placement.incomplete_consumer_user_id,
              },
              policyFile: resolvePolicyFile(config.oslo_policy.policy_file, options.configDirs ?? []),
              auth: { identityUri: `${identityPublicUrl(config)}/v3`, checker: verifier(log) },
              logger: log,
            }),
          )
          break
        case 'nova-conductor': {
          const access = placementAccess(config, options.adminPassword)
          services.push(
            createConductorService({
              ...common,
              services: need(servicesRepo),
              computeNodes: createComputeNodesRepository(need(main)),
              deadlines: {
                buildTimeoutS: config.DEFAULT.instance_build_timeout,
                deleteTimeoutS: config.DEFAULT.instance_delete_timeout,
              },
              resizeConfirmWindowS: config.DEFAULT.resize_confirm_window,
              serviceDownTimeS: config.DEFAULT.service_down_time,
              clock,
              registry: need(registry),
              logger: log,
              build: {
                moves: createMovesRepository(need(main)),
                instances: createInstancesRepository(need(main)),
                actions: createInstanceActionsRepository(need(main)),
                scheduler: new SchedulerClient({
                  bus,
                  timeoutMs: config.DEFAULT.long_rpc_timeout * 1000,
                  ...(config.upgrade_levels.scheduler === undefined
                    ? {}
                    : { versionCap: config.upgrade_levels.scheduler }),
                }),
                compute: new ComputeClient({
                  bus,
                  timeoutMs,
                  ...(config.upgrade_levels.compute === undefined
                    ? {}
                    : { versionCap: config.upgrade_levels.compute }),
                }),
                placement: new PlacementClient(
                  fetchTransport(access.url, passwordTokenSource(access.credentials)),
                ),
                buildRequests: createBuildRequestsRepository(need(databases.api)),
                maxAttempts: config.scheduler.max_attempts,
                notifications: eventNotificationsFor(
                  config,
                  bus,
                  createInstancesRepository(need(main)),
                  createInstanceActionsRepository(need(main)),
                  log,
                ),
                logger: log,
              },
            }),
          )
          break
        }
        case 'nova-scheduler': {
          const access = placementAccess(config, options.adminPassword)
          const aggregates = createDbAggregateSource(need(databases.api))
          const placement = new PlacementClient(
            fetchTransport(access.url, passwordTokenSource(access.credentials)),
          )
          services.push(
            createSchedulerService({
              ...common,
              registry: need(registry),
              logger: log,
              selection: selectionDepsFromConfig(config, {
                placement: new PlacementClient(
                  fetchTransport(access.url, passwordTokenSource(access.credentials)),
                ),
                aggregates,
                hostStates: createDbHostStateSource({
                  mainDb: need(databases.main),
                  aggregates,
                  cellUuid: SINGLE_CELL_UUID,
                  serviceDownTimeS: config.DEFAULT.service_down_time,
                  defaultAvailabilityZone: config.DEFAULT.default_availability_zone,
                  clock,
                }),
                logger: log,
              }),
              audit: {
                intervalS: config.scheduler.allocation_audit_interval,
                deps: { mainDb: need(databases.main), apiDb: need(databases.api), placement, logger: log },
              },
            }),
          )
          break
        }
        case 'nova-compute': {
          const access = placementAccess(config, options.adminPassword)
          const images = new ImageClient({
            baseUrl: imageEndpoint(config),
            token: passwordTokenSource(access.credentials),
          })
          services.push(
            createComputeService({
              ...common,
              syncPowerStateIntervalS: config.DEFAULT.sync_power_state_interval,
              reclaimInstanceIntervalS: config.DEFAULT.reclaim_instance_interval,
              conductor: new ConductorClient({
                bus,
                timeoutMs,
                ...(config.upgrade_levels.conductor === undefined
                  ? {}
                  : { versionCap: config.upgrade_levels.conductor }),
              }),
              logger: log,
              // A real hypervisor downloads images into its cache through the image service.
              driver: loadComputeDriver(config, config.DEFAULT.compute_driver, {
                fetchImage: (imageId, file) => images.downloadTo(imageId, file),
              }),
              placement: new PlacementClient(
                fetchTransport(access.url, passwordTokenSource(access.credentials)),
              ),
              resources: resourceTrackerSettings(config),
              updateResourcesIntervalS: config.DEFAULT.update_resources_interval,
              images,
              shelvedOffloadTimeS: config.DEFAULT.shelved_offload_time,
              shutdownTimeoutS: config.DEFAULT.shutdown_timeout,
              forceConfigDrive: config.DEFAULT.force_config_drive,
              imageCache: imageCacheSettings(config),
            }),
          )
          break
        }
        case 'nova-api':
          services.push(
            createComputeApiService({
              host,
              listen: config.DEFAULT.osapi_compute_listen,
              port: config.DEFAULT.osapi_compute_listen_port,
              ...(config.api.compute_link_prefix === undefined
                ? {}
                : { linkPrefix: config.api.compute_link_prefix }),
              ...(config.api.auth_strategy === 'keystone'
                ? {
                    auth: {
                      identityUri: `${identityPublicUrl(config)}/v3`,
                      checker: verifier(log),
                    },
                  }
                : {}),
              apiDb: need(databases.api),
              env: {
                config,
                mainDb: need(databases.main),
                apiDb: need(databases.api),
                bus,
                registry: need(registry),
                clock,
                logger: log,
              },
              policyFile: resolvePolicyFile(config.oslo_policy.policy_file, options.configDirs ?? []),
              maxLimit: config.api.max_limit,
              keypairQuota: config.quota.key_pairs,
              registry: need(registry),
              serviceVersion: SERVICE_VERSION,
              logger: log,
            }),
          )
          break
      }
    }

    const started: Service[] = []
    return {
      services,
      bus,
      async start() {
        try {
          for (const service of services) {
            await service.start()
            started.push(service)
          }
        } catch (error) {
          for (const service of started.reverse()) await service.stop(0)
          started.length = 0
          await closeAll()
          throw error
        }
      },
      async stop(drainMs) {
        for (const service of [...started].reverse()) await service.stop(drainMs)
        started.length = 0
        await closeAll()
      },
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}

function need<T>(value: T | undefined): T {
  if (value === undefined)
    throw new Error('composition error: a service was built without a dependency it needs')
  return value
}
