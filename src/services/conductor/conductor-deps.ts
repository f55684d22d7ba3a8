import type { Clock } from '../../common/clock.js'
import type { ServicesRepository } from '../../db/index.js'

/** What the conductor's operations need; built once by process/. */
export interface ConductorDeps {
  readonly services: ServicesRepository
  readonly clock: Clock
}
