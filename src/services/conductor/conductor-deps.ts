import type { Clock } from '../../common/clock.js'
import type { ComputeNodesRepository, ServicesRepository } from '../../db/index.js'

/** What the conductor's operations need; built once by process/. */
export interface ConductorDeps {
  readonly services: ServicesRepository
  readonly computeNodes: ComputeNodesRepository
  readonly clock: Clock
}
