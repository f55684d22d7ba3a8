/**
 * `POST /servers/{id}/action` (Nova's server actions): one registry from the body's single key to its handler.
 *
 * HOW TO ADD AN ACTION (one file, one registry line):
 *  1. Create `<family>.ts` in this folder exporting one or more `ServerAction`s (types.ts): `key` (the body key,
 *     e.g. 'rebuild'), `name` (the word in Nova's 409 "Cannot '<name>' instance …"), `policy` (its RuleDefault,
 *     use memberRule/adminRule), optional `minVersion`/`maxVersion` (2.<minor>, outside → 404), `schema(request)`
 *     for the value under the key (per microversion), `checkLock` (default true), `states` (allowed vm_states /
 *     task_states, `needsHost`; a function of the body when it depends on it), and `run(call)`.
 *  2. In `run`: `call.transition({task_state: …})` (guarded by the same states; a lost race → Nova's 409),
 *     `call.record('<instance action>')`, then the compute RPC (`call.servers.compute.…`) or the conductor.
 *     Return undefined for 202 with no body, or `{status, body}`.
 *  3. Add the action to ACTIONS below. Its policy rules are registered with the compute API's defaults
 *     automatically (SERVER_ACTION_POLICIES).
 *
 * The dispatcher does, in Nova's order: body has exactly one key (400 "Malformed request body"), known key (400
 * "There is no such action: <key>"), microversion range (404), schema (400), instance visible to the caller
 * (404), policy against the instance's project (403), lock (409 "Instance <uuid> is locked", admins pass),
 * states (409 conflictingRequest).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { makeContext } from '../../../../common/context.js'
import { InstanceIsLocked, UnexpectedStateError } from '../../../../common/errors/index.js'
import type { InstanceRecord } from '../../../../db/repositories/instances.js'
import type { RuleDefault } from '../../../../policy/index.js'
import { ApiFault, badRequest } from '../../faults.js'
import { requireVersion } from '../../microversion.js'
import { authorize } from '../../request.js'
import { route, type ComputeApiDeps } from '../../routing.js'
import { validate } from '../../validation.js'
import type { ServerDeps } from '../deps.js'
import { stateConflict } from './guards.js'
import { adminActions } from './admin.js'
import { deferredDeleteActions } from './deferred-delete.js'
import { evacuateActions } from './evacuate.js'
import { guestActions } from './guest.js'
import { liveMigrateActions } from './live-migrate.js'
import { lockActions } from './lock.js'
import { pauseSuspendActions } from './pause-suspend.js'
import { powerActions } from './power.js'
import { imageActions } from './create-image.js'
import { rebuildActions } from './rebuild.js'
import { resizeActions } from './resize.js'
import { rescueActions, shelveActions } from './shelve-rescue.js'
import type { ActionCall, ActionResult, ServerAction, StateGuard } from './types.js'

/** Every action served, by family. */
const ACTIONS: readonly ServerAction[] = [
  ...powerActions,
  ...pauseSuspendActions,
  ...lockActions,
  ...adminActions,
  ...guestActions,
  ...deferredDeleteActions,
  ...rebuildActions,
  ...resizeActions,
  ...liveMigrateActions,
  ...shelveActions,
  ...rescueActions,
  ...imageActions,
  ...evacuateActions,
]

const REGISTRY: ReadonlyMap<string, ServerAction> = new Map(ACTIONS.map((a) => [a.key, a]))

/** The policy defaults of every action (registered by policies.ts). */
export const SERVER_ACTION_POLICIES: readonly RuleDefault[] = [
  ...new Map(
    ACTIONS.flatMap((a) => [a.policy, ...(a.morePolicies ?? [])]).map((r) => [r.name, r] as const),
  ).values(),
]

/** The action keys served (for docs and tests). */
export const SERVER_ACTION_KEYS: readonly string[] = [...REGISTRY.keys()]

type Loader = (request: FastifyRequest, id: string) => Promise<InstanceRecord>

export function registerServerActionRoutes(
  app: FastifyInstance,
  deps: ComputeApiDeps,
  servers: ServerDeps,
  load: Loader,
): void {
  const { settings } = deps
  route(app, 'POST', '/servers/:server_id/action', async (request, reply) => {
    const id = (request.params as { server_id: string }).server_id
    const raw = request.body
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.keys(raw).length !== 1)
      throw badRequest('Malformed request body')
    const [key, body] = Object.entries(raw as Record<string, unknown>)[0]!
    const action = REGISTRY.get(key)
    if (action === undefined) throw badRequest(`There is no such action: ${key}`)
    if (action.gone === true)
      throw new ApiFault(410, 'This resource is no longer available. No forwarding address is given.')
    if (action.minVersion !== undefined || action.maxVersion !== undefined)
      requireVersion(request, action.minVersion ?? 1, action.maxVersion)
    const schema = action.schema?.(request)
    if (schema !== undefined) validate({ type: 'object', properties: { [key]: schema } }, raw)
    const instance = await load(request, id)
    const caller = authorize(request, settings, action.policy.name, { project_id: instance.project_id ?? '' })
    if ((action.checkLock ?? true) && instance.locked === true && !caller.isAdmin)
      throw new InstanceIsLocked({ instanceUuid: instance.uuid })
    const guard: StateGuard =
      typeof action.states === 'function' ? action.states(body) : (action.states ?? {})
    const conflict = stateConflict(action.name, instance, guard)
    if (conflict !== undefined) throw conflict
    const ctx = makeContext({
      requestId: request.id,
      userId: caller.userId,
      projectId: caller.projectId,
      roles: caller.credentials.roles ?? [],
      isAdmin: caller.isAdmin,
    })
    const call: ActionCall = {
      request,
      caller,
      ctx,
      instance,
      body,
      servers,
      settings,
      async record(name) {
        await servers.actions.startAction(instance.uuid, {
          action: name,
          requestId: request.id,
          userId: caller.userId,
          projectId: caller.projectId,
        })
      },
      async transition(changes, expectedTaskStates) {
        try {
          return await servers.instances.update(instance.uuid, changes, {
            ...(guard.vmStates === undefined ? {} : { vm_state: guard.vmStates }),
            task_state: expectedTaskStates ?? guard.taskStates ?? [instance.task_state],
          })
        } catch (error) {
          if (!(error instanceof UnexpectedStateError)) throw error
          // Another request won the race: answer as if it had come first.
          const now = await load(request, id)
          throw (
            stateConflict(action.name, now, guard) ??
            new ApiFault(409, `Instance ${instance.uuid} is in an invalid state for '${action.name}'`)
          )
        }
      },
    }
    const result: ActionResult | undefined = await action.run(call)
    reply.code(result?.status ?? 202)
    for (const [name, value] of Object.entries(result?.headers ?? {})) reply.header(name, value)
    return result?.body ?? ''
  })
}
