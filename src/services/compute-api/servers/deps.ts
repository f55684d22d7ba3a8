import type { Clock } from '../../../common/clock.js'
import type { Logger } from '../../../common/logger.js'
import { createServicesRepository, type Database, type ServicesRepository } from '../../../db/index.js'
import {
  createInstanceActionsRepository,
  type InstanceActionsRepository,
} from '../../../db/repositories/instance-actions.js'
import { createInstancesRepository, type InstancesRepository } from '../../../db/repositories/instances.js'
import { passwordTokenSource } from '../../identity/client.js'
import { ComputeClient } from '../../compute/client.js'
import { ConductorClient } from '../../conductor/client.js'
import { fetchTransport, PlacementClient, placementAccess } from '../../placement/client.js'
import { ImageClient } from '../../image/client.js'
import { quotaDefaultsOf } from '../admin/deps.js'
import { imageEndpoint } from '../images/deps.js'
import type { ComputeApiEnv } from '../env.js'
import type { ImageLookup } from './image-check.js'
import { createMovesRepository, type MovesRepository } from '../../../db/repositories/migrations.js'

/** Dependencies of the servers resource and the build flow it starts (repositories, RPC clients, …). */
export interface ServerDeps {
  /** The cell database's instances (one cell) and their actions. */
  readonly instances: InstancesRepository
  readonly actions: InstanceActionsRepository
  /** The API database: instance_mappings, request_specs. */
  readonly apiDb: Database<unknown>
  readonly conductor: ConductorClient
  readonly compute: ComputeClient
  /** Allocations of a server deleted before it reached a host are removed here; undefined: none configured. */
  readonly placement: PlacementClient | undefined
  /**
   * Quotas enforced on create (DbQuotaDriver): the cell database whose instances are counted and the
   * `[quota]` defaults. Undefined: not enforced (NoopQuotaDriver).
   */
  readonly quota?: { readonly mainDb: Database<unknown>; readonly defaults: Readonly<Record<string, number>> }
  /**
   * The image service acting with the caller's token (imageRef is checked at create: exists, active, fits the
   * flavor); undefined: not checked.
   */
  readonly images?: (token: string) => ImageLookup
  /** `[api] enable_instance_password`. */
  readonly enableInstancePassword: boolean
  /** `[DEFAULT] reclaim_instance_interval`: > 0 makes DELETE a soft delete (restore, forceDelete). */
  readonly reclaimInstanceIntervalS?: number
  /** Migrations, flavors and system metadata of the move actions (resize, migrate, shelve); undefined: none. */
  readonly moves?: MovesRepository
  /** `[DEFAULT] allow_resize_to_same_host`. */
  readonly allowResizeToSameHost?: boolean
  /** The cell's services (evacuate needs the source's nova-compute down); undefined: evacuate is 501. */
  readonly services?: ServicesRepository
  /** `[DEFAULT] service_down_time` (default 60 s). */
  readonly serviceDownTimeS?: number
  /** The image service with the caller's token, for createImage and shelve snapshots; undefined: none. */
  readonly imageWriter?: (token: string) => ImageClient
  /** Where the image service's images are, for createImage's Location header (before 2.45). */
  readonly imageLinkBase?: string
  /** `[quota] server_groups` (-1: unlimited); undefined: not checked. */
  readonly serverGroupQuota?: number
  readonly clock: Clock
  readonly logger: Logger
}

export function createServerDeps(env: ComputeApiEnv): ServerDeps {
  const timeoutMs = env.config.DEFAULT.rpc_response_timeout * 1000
  const access = placementAccess(env.config)
  const caps = env.config.upgrade_levels as { conductor?: string; compute?: string }
  const imageUrl = imageEndpoint(env.config)
  return {
    instances: createInstancesRepository(env.mainDb),
    actions: createInstanceActionsRepository(env.mainDb),
    apiDb: env.apiDb,
    conductor: new ConductorClient({
      bus: env.bus,
      timeoutMs,
      ...(caps.conductor === undefined ? {} : { versionCap: caps.conductor }),
    }),
    compute: new ComputeClient({
      bus: env.bus,
      timeoutMs,
      ...(caps.compute === undefined ? {} : { versionCap: caps.compute }),
    }),
    placement: new PlacementClient(fetchTransport(access.url, passwordTokenSource(access.credentials))),
    ...(env.config.quota.driver === 'nova.quota.NoopQuotaDriver'
      ? {}
      : { quota: { mainDb: env.mainDb, defaults: quotaDefaultsOf(env.config.quota) } }),
    serverGroupQuota: env.config.quota.server_groups,
    reclaimInstanceIntervalS: env.config.DEFAULT.reclaim_instance_interval,
    images: (token) => new ImageClient({ baseUrl: imageUrl, token: () => token }),
    imageWriter: (token) => new ImageClient({ baseUrl: imageUrl, token: () => token }),
    imageLinkBase: imageUrl,
    moves: createMovesRepository(env.mainDb),
    allowResizeToSameHost: env.config.DEFAULT.allow_resize_to_same_host,
    services: createServicesRepository(env.mainDb),
    serviceDownTimeS: env.config.DEFAULT.service_down_time,
    enableInstancePassword:
      (env.config.api as { enable_instance_password?: boolean }).enable_instance_password ?? true,
    clock: env.clock,
    logger: env.logger,
  }
}
