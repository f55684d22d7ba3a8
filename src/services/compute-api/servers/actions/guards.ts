import type { InstanceRecord } from '../../../../db/repositories/instances.js'
import { ApiFault } from '../../faults.js'
import type { StateGuard } from './types.js'

const py = (value: string | null): string => value ?? 'None'

/**
 * Nova's check_instance_host and check_instance_state, answered as the API does
 * (common.raise_http_conflict_for_instance_invalid_state): the 409 for the first check the instance fails, or
 * undefined when it may go on.
 */
export function stateConflict(
  name: string,
  instance: InstanceRecord,
  guard: StateGuard,
): ApiFault | undefined {
  const uuid = instance.uuid
  if (guard.needsHost === true && (instance.host === null || instance.host === ''))
    return new ApiFault(409, `Instance ${uuid} is not ready`)
  if (guard.vmStates !== undefined && !guard.vmStates.includes(instance.vm_state ?? ''))
    return new ApiFault(
      409,
      `Cannot '${name}' instance ${uuid} while it is in vm_state ${py(instance.vm_state)}`,
    )
  if (guard.taskStates !== undefined && !guard.taskStates.includes(instance.task_state))
    return new ApiFault(
      409,
      `Cannot '${name}' instance ${uuid} while it is in task_state ${py(instance.task_state)}`,
    )
  if ((guard.mustHaveLaunched ?? guard.vmStates !== undefined) && instance.launched_at === null)
    return new ApiFault(409, `Cannot '${name}' instance ${uuid} while it is in launched_at None`)
  return undefined
}

/** Nova's vm_states.ALLOW_HARD_REBOOT and task_states.ALLOW_REBOOT. */
export const ALLOW_HARD_REBOOT_VM = ['active', 'stopped', 'paused', 'suspended', 'error'] as const
export const ALLOW_REBOOT_TASK = [
  null,
  'rebooting',
  'reboot_pending',
  'reboot_started',
  'resuming',
  'rebooting_hard',
  'unpausing',
  'pausing',
  'suspending',
] as const
