import type { Clock } from '../../common/clock.js'
import type { InstanceRecord } from '../../db/repositories/instances.js'
import { createFromBuildRequest } from './build-requests.js'
import type { ConductorBuildDeps } from './conductor-deps.js'

/** How long an instance may stay in BUILD or deleting (seconds; 0: no deadline). */
export interface InstanceDeadlines {
  /** `[DEFAULT] instance_build_timeout` (Nova's option, which Nova's compute checks for its own host only). */
  readonly buildTimeoutS: number
  /** `[DEFAULT] instance_delete_timeout` (not in Nova). */
  readonly deleteTimeoutS: number
}

export interface DeadlineResult {
  /** Instances put in ERROR because their build took too long. */
  readonly errored: readonly string[]
  /** Instances whose delete the conductor finished. */
  readonly deleted: readonly string[]
}

const BUILD_TIMEOUT_MESSAGE = 'Instance build timed out. Set to error state.'

const olderThan = (date: Date | null, limit: Date) => date !== null && date.getTime() <= limit.getTime()

/**
 * The deadline reconciler (Nova's `_check_instance_build_time`, run by the conductor for every instance so an
 * instance never scheduled or whose compute died is covered too): an instance in BUILD created more than
 * `buildTimeoutS` ago (or a build request that old, created in the cell first) goes to ERROR with a fault,
 * loses its host and node, and its allocations are removed; one in task_state deleting not changed for
 * `deleteTimeoutS` is soft-deleted with its allocations removed (its guest, if a compute still has one, is
 * the compute's to clean up). Each change expects the task_state it saw, so an instance a compute moves on
 * meanwhile is left alone.
 */
export async function enforceInstanceDeadlines(
  deps: ConductorBuildDeps,
  clock: Clock,
  deadlines: InstanceDeadlines,
): Promise<DeadlineResult> {
  const now = clock.now().getTime()
  const errored: string[] = []
  const deleted: string[] = []
  if (deadlines.buildTimeoutS > 0) {
    const limit = new Date(now - deadlines.buildTimeoutS * 1000)
    // A build request the conductor never turned into an instance (its message lost): made in the cell, then ERROR.
    for (const request of (await deps.buildRequests?.list()) ?? []) {
      if (!olderThan(request.createdAt, limit)) continue
      const instance = await createFromBuildRequest(deps, request.instanceUuid, {}).catch(() => undefined)
      if (instance !== undefined && (await timeOut(deps, instance))) errored.push(instance.uuid)
    }
    for (const instance of await deps.instances.list({ vmStates: ['building'] })) {
      if (!olderThan(instance.created_at, limit)) continue
      if (await timeOut(deps, instance)) errored.push(instance.uuid)
    }
  }
  if (deadlines.deleteTimeoutS > 0) {
    const limit = new Date(now - deadlines.deleteTimeoutS * 1000)
    for (const instance of await deps.instances.list({ taskStates: ['deleting'] })) {
      if (!olderThan(instance.updated_at ?? instance.created_at, limit)) continue
      try {
        await deps.instances.update(
          instance.uuid,
          { vm_state: 'deleted', task_state: null },
          {
            task_state: ['deleting'],
          },
        )
        await deps.instances.softDelete(instance.uuid)
        await deps.placement?.deleteAllocations(instance.uuid)
        deps.logger.warn({ instance: instance.uuid }, 'delete took too long; the conductor finished it')
        deleted.push(instance.uuid)
      } catch (error) {
        deps.logger.info({ err: error, instance: instance.uuid }, 'overdue delete moved on meanwhile')
      }
    }
  }
  return { errored, deleted }
}

async function timeOut(deps: ConductorBuildDeps, instance: InstanceRecord): Promise<boolean> {
  try {
    await deps.instances.update(
      instance.uuid,
      { vm_state: 'error', task_state: null, host: null, node: null },
      { task_state: [instance.task_state] },
    )
  } catch (error) {
    deps.logger.info({ err: error, instance: instance.uuid }, 'overdue build moved on meanwhile')
    return false
  }
  await deps.instances.addFault(instance.uuid, {
    code: 500,
    message: BUILD_TIMEOUT_MESSAGE,
    ...(instance.host === null ? {} : { host: instance.host }),
  })
  await deps.placement?.deleteAllocations(instance.uuid).catch(() => false)
  deps.logger.warn({ instance: instance.uuid }, BUILD_TIMEOUT_MESSAGE)
  return true
}
