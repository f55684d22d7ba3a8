import type { Clock } from '../../common/clock.js'
import type { Logger } from '../../common/logger.js'
import type { ComputeNodesRepository, ServicesRepository } from '../../db/index.js'
import type { BuildRequestsRepository } from '../../db/repositories/build-requests.js'
import type { InstanceActionsRepository } from '../../db/repositories/instance-actions.js'
import type { InstancesRepository } from '../../db/repositories/instances.js'
import type { MovesRepository } from '../../db/repositories/migrations.js'
import type { ComputeClient } from '../compute/client.js'
import type { PlacementClient } from '../placement/client.js'
import type { SchedulerClient } from '../scheduler/client.js'
import type { EventNotifications } from './notifications.js'

/** What the build and delete flows need (Nova's ComputeTaskManager): the cell's instances and the RPC peers. */
export interface ConductorBuildDeps {
  readonly instances: InstancesRepository
  readonly actions: InstanceActionsRepository
  readonly scheduler: SchedulerClient
  readonly compute: ComputeClient
  /** Allocations of deleted instances are removed here; undefined: placement is not configured. */
  readonly placement: PlacementClient | undefined
  /**
   * The API database's build requests: the conductor creates each instance in the cell from its build request
   * once scheduled (or in ERROR), then deletes it. Undefined: the API wrote the cell instances itself.
   */
  readonly buildRequests?: BuildRequestsRepository
  /** `[scheduler] max_attempts` (default 3): builds tried per instance, the first host included; 1: no reschedule. */
  readonly maxAttempts?: number
  /** Versioned notifications of compute's instance action events; undefined: none are sent. */
  readonly notifications?: EventNotifications
  /** Migrations, flavors and system metadata of the move operations; undefined: moves are not served. */
  readonly moves?: MovesRepository
  readonly logger: Logger
}

/** What the conductor's operations need; built once by process/. */
export interface ConductorDeps {
  readonly services: ServicesRepository
  readonly computeNodes: ComputeNodesRepository
  readonly clock: Clock
  /** `[DEFAULT] service_down_time` (default 60 s): a live migration's hosts must be up. */
  readonly serviceDownTimeS?: number
  /** The build flow's dependencies; undefined: the conductor only proxies the servicegroup and compute nodes. */
  readonly build?: ConductorBuildDeps
}
