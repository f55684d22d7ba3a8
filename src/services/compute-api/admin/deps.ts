import type { Clock } from '../../../common/clock.js'
import type { Logger } from '../../../common/logger.js'
import {
  createComputeNodesRepository,
  createServicesRepository,
  type ComputeNodesRepository,
  type Database,
  type ServicesRepository,
} from '../../../db/index.js'
import { ComputeClient } from '../../compute/client.js'
import { passwordTokenSource } from '../../identity/client.js'
import { fetchTransport, PlacementClient, placementAccess } from '../../placement/client.js'
import type { ComputeApiEnv } from '../env.js'

/** Settings the admin resources read (nova.conf). */
export interface AdminSettings {
  /** `[DEFAULT] service_down_time` (seconds). */
  readonly serviceDownTime: number
  /** `[DEFAULT] default_availability_zone`. */
  readonly defaultAvailabilityZone: string
  /** `[DEFAULT] internal_service_availability_zone`. */
  readonly internalAvailabilityZone: string
  /** `[quota]` defaults by quota resource name (injected_file_path_bytes from injected_file_path_length). */
  readonly quotaDefaults: Readonly<Record<string, number>>
}

/** Dependencies of the admin resources (os-services, os-hypervisors, os-availability-zone, os-aggregates, …). */
export interface AdminDeps {
  readonly mainDb: Database<unknown>
  readonly apiDb: Database<unknown>
  readonly services: ServicesRepository
  readonly computeNodes: ComputeNodesRepository
  readonly clock: Clock
  readonly logger: Logger
  readonly settings: AdminSettings
  /** Placement, for aggregate mirroring and the COMPUTE_STATUS_DISABLED trait; undefined: not mirrored. */
  readonly placement: () => PlacementClient | undefined
  /** nova-compute's RPC (hypervisor uptime); undefined: not asked (uptime is 501). */
  readonly compute?: Pick<ComputeClient, 'getHostUptime'>
}

/** The `[quota]` defaults by the API's resource names. */
export function quotaDefaultsOf(quota: ComputeApiEnv['config']['quota']): Record<string, number> {
  return {
    instances: quota.instances,
    cores: quota.cores,
    ram: quota.ram,
    metadata_items: quota.metadata_items,
    injected_files: quota.injected_files,
    injected_file_content_bytes: quota.injected_file_content_bytes,
    injected_file_path_bytes: quota.injected_file_path_length,
    key_pairs: quota.key_pairs,
    server_groups: quota.server_groups,
    server_group_members: quota.server_group_members,
  }
}

export function createAdminDeps(
  env: ComputeApiEnv,
  overrides: { placement?: PlacementClient } = {},
): AdminDeps {
  let placement = overrides.placement
  return {
    mainDb: env.mainDb,
    apiDb: env.apiDb,
    services: createServicesRepository(env.mainDb),
    computeNodes: createComputeNodesRepository(env.mainDb),
    clock: env.clock,
    logger: env.logger,
    ...(env.bus === undefined
      ? {}
      : {
          compute: new ComputeClient({
            bus: env.bus,
            timeoutMs: env.config.DEFAULT.rpc_response_timeout * 1000,
          }),
        }),
    settings: {
      serviceDownTime: env.config.DEFAULT.service_down_time,
      defaultAvailabilityZone: env.config.DEFAULT.default_availability_zone,
      internalAvailabilityZone: env.config.DEFAULT.internal_service_availability_zone,
      quotaDefaults: quotaDefaultsOf(env.config.quota),
    },
    // Built on first use: nova-all writes the admin password placement access falls back to after start-up.
    placement: () => {
      if (placement === undefined) {
        const access = placementAccess(env.config)
        placement = new PlacementClient(fetchTransport(access.url, passwordTokenSource(access.credentials)))
      }
      return placement
    },
  }
}
