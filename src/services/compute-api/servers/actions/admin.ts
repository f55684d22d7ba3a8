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

/**
 * injectNetworkInfo (admin): Nova casts inject_network_info to the compute, which re-plugs the instance's network
 * info into the guest. nova-ts has no networking yet, so after Nova's checks (policy, lock) there is nothing to
 * inject: 202.
 */
const injectNetworkInfo: ServerAction = {
  key: 'injectNetworkInfo',
  name: 'injectNetworkInfo',
  policy: adminRule(
    'os-admin-actions:inject_network_info',
    'Inject network information into the server',
    'injectNetworkInfo',
  ),
  async run() {
    return undefined
  },
}

/** resetNetwork: removed from Nova (23.0.0); 410 Gone. */
const resetNetwork: ServerAction = {
  key: 'resetNetwork',
  name: 'resetNetwork',
  policy: adminRule(
    'os-admin-actions:reset_network',
    'Reset networking on a server (removed)',
    'resetNetwork',
  ),
  gone: true,
  async run() {
    return undefined
  },
}

export const adminActions: readonly ServerAction[] = [resetState, injectNetworkInfo, resetNetwork]
