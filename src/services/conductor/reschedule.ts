import type { RequestContext } from '../../common/context.js'
import { MaxRetriesExceeded } from '../../common/errors/index.js'
import type { Selection } from '../scheduler/client.js'
import { setError } from './build.js'
import type { RescheduleRequest } from './client.js'
import type { ConductorBuildDeps } from './conductor-deps.js'

/**
 * Nova's ComputeTaskManager.build_instances with host_lists (the reschedule after a failed build): the compute
 * that failed has reverted its claim, removed the instance's allocations, cleared its host and put it back to
 * task_state scheduling. The next alternate whose allocation request placement accepts is claimed (the
 * allocations move to it), recorded as the instance's host and the build is cast there with the alternates left.
 * None left (or none claimable): ERROR with MaxRetriesExceeded as the fault. An instance deleted meanwhile gives
 * the new claim back and is not built.
 */
export async function rescheduleBuild(
  deps: ConductorBuildDeps,
  ctx: RequestContext,
  request: RescheduleRequest,
): Promise<void> {
  const uuid = request.instance_uuid
  const spec = request.request_spec
  const remaining = [...request.host_list]
  const owner = {
    projectId: typeof spec.projectId === 'string' ? spec.projectId : (ctx.projectId ?? ''),
    userId: typeof spec.userId === 'string' ? spec.userId : (ctx.userId ?? ''),
  }
  let chosen: Selection | undefined
  while (chosen === undefined && remaining.length > 0) {
    const host = remaining.shift()!
    const outcome = await deps.placement
      ?.claim(uuid, host.allocationRequest.allocations, owner)
      .catch((error: unknown) => {
        deps.logger.warn({ err: error, instance: uuid, host: host.host }, 'claim on an alternate failed')
        return 'failed' as const
      })
    if (outcome === undefined || outcome === 'claimed') chosen = host
    else deps.logger.info({ instance: uuid, host: host.host, outcome }, 'alternate host not available')
  }
  if (chosen === undefined) {
    const error = new MaxRetriesExceeded({
      reason: `Exhausted all hosts available for retrying build failures for instance ${uuid}.`,
    })
    deps.logger.warn({ instance: uuid, attempts: request.retry.num_attempts }, error.message)
    await setError(deps, uuid, error)
    return
  }
  try {
    await deps.instances.update(
      uuid,
      { host: chosen.host, node: chosen.nodename, launched_on: chosen.host, scheduled_at: new Date() },
      { task_state: ['scheduling'] },
    )
  } catch (error) {
    deps.logger.info(
      { instance: uuid, err: error },
      'instance gone before its reschedule; removing its allocations',
    )
    await deps.placement?.deleteAllocations(uuid).catch(() => false)
    return
  }
  deps.logger.info(
    { instance: uuid, host: chosen.host, attempt: request.retry.num_attempts + 1 },
    'rescheduling the build to an alternate host',
  )
  await deps.compute.buildAndRunInstance(ctx, chosen.host, {
    instance_uuid: uuid,
    request_spec: spec,
    node: chosen.nodename,
    allocations: chosen.allocationRequest.allocations,
    ...(request.admin_password === undefined ? {} : { admin_password: request.admin_password }),
    host_list: remaining,
    retry: {
      num_attempts: request.retry.num_attempts + 1,
      hosts: [...request.retry.hosts, [chosen.host, chosen.nodename] as const],
    },
  })
}
