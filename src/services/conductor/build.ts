import type { RequestContext } from '../../common/context.js'
import { NovaError } from '../../common/errors/index.js'
import type { InstanceRecord } from '../../db/repositories/instances.js'
import type { RequestSpec } from '../scheduler/client.js'
import type { BuildRequest, InstanceView } from './client.js'
import { createFromBuildRequest } from './build-requests.js'
import type { ConductorBuildDeps } from './conductor-deps.js'

/** The event the conductor records on each instance's action (Nova's wrap_instance_event name). */
export const SCHEDULE_EVENT = 'conductor_schedule_and_build_instances'

/** `[scheduler] max_attempts`' default. */
export const DEFAULT_MAX_ATTEMPTS = 3

/** An instance row as it crosses the bus. */
export function instanceView(record: InstanceRecord): InstanceView {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record))
    out[key] = value instanceof Date ? value.toISOString() : value
  out.fault =
    record.fault === undefined
      ? null
      : { ...record.fault, created_at: record.fault.created_at?.toISOString() ?? null }
  return out as InstanceView
}

/** Starts an event on the action the request started on the instance (none: not recorded). */
export async function startEvent(
  deps: ConductorBuildDeps,
  ctx: RequestContext,
  uuid: string,
  event: string,
  host: string | null,
): Promise<number | null> {
  const action = (await deps.actions.actions(uuid)).find((a) => a.request_id === ctx.requestId)
  return action === undefined ? null : await deps.actions.startEvent(action.id, event, host)
}

const errorText = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error)

/**
 * Nova's ComputeTaskManager.schedule_and_build_instances: asks the scheduler for a host per instance (it claims
 * in placement), creates each instance in the cell from its build request with that host (build-requests.ts),
 * records the `create` action with its conductor event and casts build_and_run_instance to `compute.<host>`.
 * When no host fits, every instance is created in ERROR with the scheduler's explanation as its fault. A server
 * deleted meanwhile (no build request any more) gives its allocations back and is not built. Each build carries
 * the instance's alternates (host_list) and the retry count, for a reschedule (reschedule.ts).
 */
export async function scheduleAndBuildInstances(
  deps: ConductorBuildDeps,
  ctx: RequestContext,
  request: BuildRequest,
): Promise<void> {
  const spec = request.request_spec as unknown as RequestSpec
  const uuids = request.instance_uuids
  const started = new Date()
  /** The create action and this step's event, once the instance is in the cell (Nova's action_start there). */
  const record = async (uuid: string, error?: unknown): Promise<void> => {
    try {
      if (!(await deps.actions.actions(uuid)).some((a) => a.request_id === ctx.requestId))
        await deps.actions.startAction(uuid, {
          action: 'create',
          requestId: ctx.requestId,
          userId: ctx.userId ?? null,
          projectId: ctx.projectId ?? null,
        })
      const id = await startEvent(deps, ctx, uuid, SCHEDULE_EVENT, null)
      if (id === null) return
      await deps.actions.finishEvent(
        id,
        error === undefined ? 'Success' : 'Error',
        error === undefined ? undefined : errorText(error),
      )
    } catch (e) {
      deps.logger.warn({ err: e, instance: uuid }, 'could not record the create action')
    }
  }

  let selections
  try {
    selections = await deps.scheduler.selectDestinations(ctx, spec, uuids, true)
  } catch (error) {
    deps.logger.warn({ err: error, instances: uuids }, 'failed to schedule instances')
    for (const uuid of uuids) {
      // As Nova buries it in cell0: the instance is made from its build request, then set to ERROR with the fault.
      const instance = await createFromBuildRequest(deps, uuid, {}).catch((e: unknown) => {
        deps.logger.warn({ err: e, instance: uuid }, 'could not create the instance from its build request')
        return undefined
      })
      if (instance === undefined) continue
      await record(uuid, error)
      await setError(deps, uuid, error)
    }
    return
  }
  for (const selection of selections) {
    const uuid = selection.instanceUuid
    let instance: InstanceRecord | undefined
    try {
      instance = await createFromBuildRequest(deps, uuid, {
        host: selection.host,
        node: selection.nodename,
        launched_on: selection.host,
        scheduled_at: started,
      })
    } catch (error) {
      deps.logger.warn({ err: error, instance: uuid }, 'could not create the instance in the cell')
    }
    if (instance === undefined) {
      // Deleted while it was being scheduled: give back what the scheduler claimed.
      deps.logger.info({ instance: uuid }, 'server gone before its build; removing its allocations')
      await deps.placement?.deleteAllocations(uuid).catch(() => false)
      continue
    }
    await record(uuid)
    await deps.compute.buildAndRunInstance(ctx, selection.host, {
      instance_uuid: instance.uuid,
      request_spec: { ...spec, instanceUuid: uuid },
      node: selection.nodename,
      allocations: selection.allocationRequest.allocations,
      ...(request.admin_password === undefined ? {} : { admin_password: request.admin_password }),
      ...((deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) > 1
        ? {
            host_list: selection.alternates,
            retry: { num_attempts: 1, hosts: [[selection.host, selection.nodename] as const] },
          }
        : {}),
    })
  }
}

/** vm_state error, task_state none, and the error as the instance's fault (Nova's _set_vm_state_and_notify). */
export async function setError(deps: ConductorBuildDeps, uuid: string, error: unknown): Promise<void> {
  try {
    // The fault first: whoever sees ERROR also sees why.
    await deps.instances.addFault(uuid, {
      code: error instanceof NovaError ? error.status : 500,
      message: error instanceof Error ? error.message : String(error),
      details: errorText(error),
    })
    await deps.instances.update(uuid, { vm_state: 'error', task_state: null })
  } catch (e) {
    deps.logger.warn({ instance: uuid, err: e }, 'could not set the instance to ERROR')
  }
}
