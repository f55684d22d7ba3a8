import type { InstanceActionMethod } from '../../../compute/client.js'
import { memberRule, type ServerAction } from './types.js'

/** An action that sets a task_state, records the instance action and casts one compute method. */
function simple(
  key: string,
  policy: string,
  description: string,
  vmStates: readonly string[],
  taskState: string,
  method: InstanceActionMethod,
): ServerAction {
  return {
    key,
    name: key,
    policy: memberRule(policy, description, key),
    states: { vmStates, taskStates: [null] },
    async run(call) {
      await call.transition({ task_state: taskState })
      await call.record(key)
      await call.servers.compute.instanceAction(
        call.ctx,
        call.instance.host ?? '',
        method,
        call.instance.uuid,
      )
      return undefined
    },
  }
}

/** pause / unpause (PAUSED: vCPUs stopped, memory kept) and suspend / resume (SUSPENDED: state saved to disk). */
export const pauseSuspendActions: readonly ServerAction[] = [
  simple('pause', 'os-pause-server:pause', 'Pause a server', ['active'], 'pausing', 'pause_instance'),
  simple(
    'unpause',
    'os-pause-server:unpause',
    'Unpause a paused server',
    ['paused'],
    'unpausing',
    'unpause_instance',
  ),
  simple(
    'suspend',
    'os-suspend-server:suspend',
    'Suspend a server',
    ['active'],
    'suspending',
    'suspend_instance',
  ),
  simple(
    'resume',
    'os-suspend-server:resume',
    'Resume a suspended server',
    ['suspended'],
    'resuming',
    'resume_instance',
  ),
]
