import { Conflict, NotFound, NovaError } from '../../../common/errors/index.js'

// Errors a hypervisor driver raises. They stay inside nova-compute (the compute manager turns them into instance
// faults and states), so they are not in the bus catalogue; `code` names them in logs and faults.

/** The hypervisor has no guest for this instance (Nova's InstanceNotFound from a driver). */
export class GuestNotFound extends NotFound {
  static override readonly code: string = 'InstanceNotFound'
  constructor(instanceUuid: string) {
    super(`Instance ${instanceUuid} could not be found.`, { details: { instanceUuid } })
  }
}

/** spawn of an instance the hypervisor already runs (Nova's InstanceExists). */
export class GuestExists extends Conflict {
  static override readonly code: string = 'InstanceExists'
  constructor(instanceName: string) {
    super(`Instance ${instanceName} already exists.`, { details: { instanceName } })
  }
}

/** The guest's power state does not allow the operation (e.g. unpause of a running guest). */
export class GuestInvalidState extends Conflict {
  static override readonly code: string = 'InstanceInvalidState'
  constructor(instanceUuid: string, operation: string, state: string) {
    super(
      `Instance ${instanceUuid} in power state ${state}. Cannot ${operation} while the instance is in this state.`,
      {
        details: { instanceUuid, operation, state },
      },
    )
  }
}

/** The hypervisor failed to create the guest; nothing of it is left. The build flow may reschedule. */
export class SpawnFailed extends NovaError {
  static override readonly code: string = 'InstanceSpawnFailed'
  constructor(instanceUuid: string, reason: string) {
    super(`Failed to spawn instance ${instanceUuid}: ${reason}`, { details: { instanceUuid, reason } })
  }
}
