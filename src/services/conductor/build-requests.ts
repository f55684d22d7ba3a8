import type { InstanceFields, InstanceRecord } from '../../db/repositories/instances.js'
import type { ConductorBuildDeps } from './conductor-deps.js'

/**
 * Nova's conductor step from build request to cell instance (schedule_and_build_instances): creates the instance
 * in the cell from its build request with `changes` (the host chosen, or nothing before ERROR), then deletes the
 * build request. The API deletes a build request to delete a server that has not reached the cell; whoever
 * deletes the row wins: undefined when the owner deleted it first (no build request, or it went while the
 * instance was being created: that instance is deleted again). Without a build request repository (an API that
 * writes cell instances itself) the instance is only updated.
 */
export async function createFromBuildRequest(
  deps: ConductorBuildDeps,
  uuid: string,
  changes: InstanceFields,
): Promise<InstanceRecord | undefined> {
  const repo = deps.buildRequests
  if (repo === undefined) return await deps.instances.update(uuid, changes)
  const request = await repo.get(uuid)
  if (request === undefined) return undefined
  const existing = await deps.instances.get(uuid)
  const instance = existing ?? (await deps.instances.create({ ...request.instance, ...changes }))
  if (await repo.destroy(uuid))
    return existing === undefined ? instance : await deps.instances.update(uuid, changes)
  deps.logger.info({ instance: uuid }, 'server deleted while it was created in the cell; deleting it there')
  await deps.instances
    .update(uuid, { vm_state: 'deleted', task_state: null, terminated_at: new Date() })
    .catch(() => undefined)
  await deps.instances.softDelete(uuid)
  return undefined
}
