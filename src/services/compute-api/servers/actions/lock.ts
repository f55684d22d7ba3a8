import { atLeast } from '../../microversion.js'
import { authorize } from '../../request.js'
import { adminRule, memberRule, type ServerAction } from './types.js'

const unlockOverride = adminRule(
  'os-lock-server:unlock:unlock_override',
  'Unlock a server locked by an admin (or, for an admin, by its owner)',
  'unlock',
)

/**
 * lock (2.73: `{locked_reason}`): locked, locked_by `owner` when the caller is of the instance's project, else
 * `admin`; the reason goes to system metadata (the server view's `locked_reason`). No state check.
 */
const lock: ServerAction = {
  key: 'lock',
  name: 'lock',
  policy: memberRule('os-lock-server:lock', 'Lock a server', 'lock'),
  checkLock: false,
  schema: (request) =>
    atLeast(request, 73)
      ? {
          type: ['object', 'null'],
          properties: { locked_reason: { type: 'string', minLength: 1, maxLength: 255 } },
          additionalProperties: false,
        }
      : undefined,
  async run(call) {
    const { instance, caller, servers } = call
    await servers.instances.update(instance.uuid, {
      locked: true,
      locked_by: instance.project_id === caller.projectId ? 'owner' : 'admin',
    })
    // The reason exists from 2.73; an older request's body is not looked at.
    const reason = atLeast(call.request, 73)
      ? (call.body as { locked_reason?: string } | null)?.locked_reason
      : undefined
    if (typeof reason === 'string')
      await servers.instances.setSystemMetadata(instance.uuid, { locked_reason: reason })
    await call.record('lock')
    return undefined
  },
}

/**
 * unlock: a lock taken by the other side (owner vs admin) needs unlock_override (Nova's is_expected_locked_by);
 * clears locked_by and the reason.
 */
const unlock: ServerAction = {
  key: 'unlock',
  name: 'unlock',
  policy: memberRule('os-lock-server:unlock', 'Unlock a server', 'unlock'),
  morePolicies: [unlockOverride],
  checkLock: false,
  async run(call) {
    const { instance, caller, servers } = call
    const expected = instance.project_id === caller.projectId ? 'owner' : 'admin'
    if (instance.locked_by !== null && instance.locked_by !== expected)
      authorize(call.request, call.settings, unlockOverride.name, { project_id: instance.project_id ?? '' })
    await servers.instances.update(instance.uuid, { locked: false, locked_by: null })
    await servers.instances.deleteSystemMetadata(instance.uuid, ['locked_reason'])
    await call.record('unlock')
    return undefined
  },
}

export const lockActions: readonly ServerAction[] = [lock, unlock]
