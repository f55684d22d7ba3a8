import { InstancePasswordSetFailed, NotSupportedByDriver } from '../../../../common/errors/index.js'
import { ApiFault } from '../../faults.js'
import { memberRule, type ServerAction } from './types.js'

/**
 * changePassword {adminPass}: task_state updating_password, then a call to nova-compute (the guest must run and
 * the driver must support it): 409 when setting it failed, 501 when the driver cannot.
 */
const changePassword: ServerAction = {
  key: 'changePassword',
  name: 'changePassword',
  policy: memberRule(
    'os-admin-password',
    'Change the administrative password for a server',
    'changePassword',
  ),
  schema: () => ({
    type: 'object',
    properties: { adminPass: { type: 'string' } },
    required: ['adminPass'],
    additionalProperties: false,
  }),
  states: { vmStates: ['active'], taskStates: [null] },
  async run(call) {
    const { instance, servers } = call
    await call.transition({ task_state: 'updating_password' })
    await call.record('changePassword')
    try {
      await servers.compute.setAdminPassword(
        call.ctx,
        instance.host ?? '',
        instance.uuid,
        (call.body as { adminPass: string }).adminPass,
      )
    } catch (error) {
      if (error instanceof NotSupportedByDriver) throw new ApiFault(501, 'Unable to set password on instance')
      if (error instanceof InstancePasswordSetFailed) throw new ApiFault(409, error.message)
      throw error
    }
    return undefined
  },
}

/** Nova removes the characters XML could not carry. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f]/g

/**
 * os-getConsoleOutput {length?}: the guest's console log from nova-compute (a call); length null or -1 is all of
 * it. 200 `{output}`. Needs a host (409), no state check.
 */
const consoleOutput: ServerAction = {
  key: 'os-getConsoleOutput',
  name: 'os-getConsoleOutput',
  policy: memberRule('os-console-output', 'Show console output for a server', 'os-getConsoleOutput'),
  checkLock: false,
  schema: () => ({
    type: 'object',
    properties: { length: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$', minimum: -1 } },
    additionalProperties: false,
  }),
  states: { needsHost: true },
  async run(call) {
    const raw = (call.body as { length?: number | string | null }).length
    const length = raw === undefined || raw === null || Number(raw) === -1 ? undefined : Number(raw)
    const output = await call.servers.compute.getConsoleOutput(
      call.ctx,
      call.instance.host ?? '',
      call.instance.uuid,
      length,
    )
    return { status: 200, body: { output: output.replace(CONTROL, '') } }
  },
}

/** trigger_crash_dump (2.17): nova-compute has the driver inject an NMI; no task state. */
const triggerCrashDump: ServerAction = {
  key: 'trigger_crash_dump',
  name: 'trigger_crash_dump',
  minVersion: 17,
  policy: memberRule('servers:trigger_crash_dump', 'Trigger crash dump in a server', 'trigger_crash_dump'),
  schema: () => ({ type: 'null' }),
  states: {
    vmStates: ['active', 'paused', 'rescued', 'resized', 'error'],
    taskStates: [null],
    needsHost: true,
  },
  async run(call) {
    await call.record('trigger_crash_dump')
    await call.servers.compute.instanceAction(
      call.ctx,
      call.instance.host ?? '',
      'trigger_crash_dump',
      call.instance.uuid,
    )
    return undefined
  },
}

export const guestActions: readonly ServerAction[] = [changePassword, consoleOutput, triggerCrashDump]
