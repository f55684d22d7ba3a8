import { ALLOW_HARD_REBOOT_VM, ALLOW_REBOOT_TASK } from './guards.js'
import { memberRule, type ServerAction } from './types.js'

const hostOf = (host: string | null): string => host ?? ''

/** reboot {type: SOFT|HARD}: task_state rebooting / rebooting_hard, then nova-compute reboots the guest. */
const reboot: ServerAction = {
  key: 'reboot',
  name: 'reboot',
  policy: memberRule('servers:reboot', 'Reboot a server', 'reboot'),
  schema: () => ({
    type: 'object',
    properties: { type: { type: 'string', enum: ['HARD', 'Hard', 'hard', 'SOFT', 'Soft', 'soft'] } },
    required: ['type'],
    additionalProperties: false,
  }),
  states: (body) =>
    String((body as { type?: unknown }).type).toUpperCase() === 'HARD'
      ? { vmStates: ALLOW_HARD_REBOOT_VM, taskStates: ALLOW_REBOOT_TASK }
      : { vmStates: ['active'], taskStates: [null] },
  async run(call) {
    const kind = String((call.body as { type: string }).type).toUpperCase() === 'HARD' ? 'HARD' : 'SOFT'
    await call.transition({ task_state: kind === 'HARD' ? 'rebooting_hard' : 'rebooting' })
    await call.record('reboot')
    await call.servers.compute.rebootInstance(call.ctx, hostOf(call.instance.host), call.instance.uuid, kind)
    return undefined
  },
}

/** os-stop: task_state powering-off (from ACTIVE or ERROR), then nova-compute powers the guest off: SHUTOFF. */
const stop: ServerAction = {
  key: 'os-stop',
  name: 'stop',
  policy: memberRule('servers:stop', 'Stop a server', 'os-stop'),
  states: { vmStates: ['active', 'error'], taskStates: [null], needsHost: true },
  async run(call) {
    await call.transition({ task_state: 'powering-off', progress: 0 })
    await call.record('stop')
    await call.servers.compute.stopInstance(call.ctx, hostOf(call.instance.host), call.instance.uuid)
    return undefined
  },
}

/** os-start: task_state powering-on (from STOPPED), then nova-compute powers the guest on: ACTIVE. */
const start: ServerAction = {
  key: 'os-start',
  name: 'start',
  policy: memberRule('servers:start', 'Start a server', 'os-start'),
  states: { vmStates: ['stopped'], taskStates: [null], needsHost: true },
  async run(call) {
    await call.transition({ task_state: 'powering-on' })
    await call.record('start')
    await call.servers.compute.startInstance(call.ctx, hostOf(call.instance.host), call.instance.uuid)
    return undefined
  },
}

export const powerActions: readonly ServerAction[] = [reboot, stop, start]
