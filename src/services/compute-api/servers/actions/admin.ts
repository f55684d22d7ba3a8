import { adminRule, type ServerAction } from './types.js'

/**
 * os-resetState {state: active|error} (admin): vm_state set, task_state cleared, whatever they were; recorded
 * as the instance action `resetState`, finished at once.
 */
const resetState: ServerAction = {
  key: 'os-resetState',
  name: 'os-resetState',
  policy: adminRule('os-admin-actions:reset_state', 'Reset the state of a given server', 'os-resetState'),
  checkLock: false,
  schema: () => ({
    type: 'object',
    properties: { state: { type: 'string', enum: ['active', 'error'] } },
    required: ['state'],
    additionalProperties: false,
  }),
  async run(call) {
    const { instance, servers, caller, request } = call
    const action = await servers.actions.startAction(instance.uuid, {
      action: 'resetState',
      requestId: request.id,
      userId: caller.userId,
      projectId: caller.projectId,
    })
    await servers.instances.update(instance.uuid, {
      vm_state: (call.body as { state: string }).state,
      task_state: null,
    })
    await servers.actions.finishAction(action)
    return undefined
  },
}

export const adminActions: readonly ServerAction[] = [resetState]
