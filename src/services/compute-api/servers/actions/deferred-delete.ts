import type { RequestContext } from '../../../../common/context.js'
import type { InstanceRecord } from '../../../../db/repositories/instances.js'
import { QuotaEngine } from '../../quota/engine.js'
import { checkNumInstancesQuota, withProjectQuotaLock } from '../../quota/instances.js'
import type { ServerDeps } from '../deps.js'
import { memberRule, type ServerAction } from './types.js'

/** The vm_states GET /servers shows by default: all but soft-delete (Nova's instance list filters them out). */
export const LISTED_VM_STATES: readonly string[] = [
  'active',
  'building',
  'paused',
  'suspended',
  'stopped',
  'rescued',
  'resized',
  'error',
  'deleted',
  'shelved',
  'shelved_offloaded',
]

/**
 * DELETE /servers/{id} with `[DEFAULT] reclaim_instance_interval` > 0 (Nova's soft_delete): an instance that was
 * launched on a host goes to task_state soft-deleting and nova-compute powers it off (SOFT_DELETED); its
 * `_reclaim_queued_deletes` deletes it after the interval. False when the delete must be a real one (no soft
 * delete configured, never launched, no host, already soft-deleted). The caller has recorded the action.
 */
export async function softDeleteServer(
  servers: ServerDeps,
  ctx: RequestContext,
  instance: InstanceRecord,
): Promise<boolean> {
  if ((servers.reclaimInstanceIntervalS ?? 0) <= 0) return false
  if (instance.host === null || instance.launched_at === null || instance.vm_state === 'soft-delete')
    return false
  if (instance.task_state === 'deleting' || instance.task_state === 'soft-deleting') return true
  await servers.instances.update(
    instance.uuid,
    { task_state: 'soft-deleting' },
    { task_state: [instance.task_state] },
  )
  await servers.compute.instanceAction(ctx, instance.host, 'soft_delete_instance', instance.uuid)
  return true
}

/** restore: a SOFT_DELETED server is powered on again (task_state restoring) and back to ACTIVE; it counts in the
 * quota again, so the quota is checked first (Nova's check_num_instances_quota, 403 when over). */
const restore: ServerAction = {
  key: 'restore',
  name: 'restore',
  policy: memberRule('os-deferred-delete:restore', 'Restore a soft deleted server', 'restore'),
  states: { vmStates: ['soft-delete'], taskStates: [null] },
  async run(call) {
    const { instance, servers } = call
    if (servers.quota !== undefined) {
      const engine = new QuotaEngine({ apiDb: servers.apiDb, ...servers.quota })
      const project = instance.project_id ?? ''
      await withProjectQuotaLock(servers.apiDb, project, async (trx) => {
        const flavor = { vcpus: instance.vcpus ?? 0, memoryMb: instance.memory_mb ?? 0 }
        await checkNumInstancesQuota(engine, trx, flavor, 1, 1, project, instance.user_id ?? '')
      })
    }
    await call.record('restore')
    if (instance.host === null) {
      await call.transition({ vm_state: 'active', task_state: null })
      return undefined
    }
    await call.transition({ task_state: 'restoring' })
    await call.servers.compute.instanceAction(call.ctx, instance.host, 'restore_instance', instance.uuid)
    return undefined
  },
}

/** forceDelete: deleted now, whatever its state (a soft-deleted server is not kept until the reclaim). */
const forceDelete: ServerAction = {
  key: 'forceDelete',
  name: 'forceDelete',
  policy: memberRule(
    'os-deferred-delete:force',
    'Force delete a server before deferred cleanup',
    'forceDelete',
  ),
  async run(call) {
    const { instance, servers } = call
    await call.record('delete')
    if (instance.host === null) {
      await servers.instances.update(instance.uuid, {
        vm_state: 'deleted',
        task_state: null,
        terminated_at: new Date(),
      })
      await servers.instances.softDelete(instance.uuid)
      await servers.placement?.deleteAllocations(instance.uuid).catch(() => false)
      return undefined
    }
    if (instance.task_state !== 'deleting') {
      await call.transition({ task_state: 'deleting', progress: 0 }, [instance.task_state])
      await servers.compute.terminateInstance(call.ctx, instance.host, instance.uuid)
    }
    return undefined
  },
}

export const deferredDeleteActions: readonly ServerAction[] = [restore, forceDelete]
