import type { RpcEndpoints } from '../../../bus/index.js'
import { Invalid } from '../../../common/errors/index.js'
import type { MoveOperationDeps } from './common.js'
import { liveMigrationEndpoints } from './live-migration-endpoints.js'
import { evacuateInstance, type EvacuateArgs } from './evacuate.js'
import {
  rebuildInstance,
  rescueInstance,
  unrescueInstance,
  type RebuildArgs,
  type RescueArgs,
} from './rebuild-rescue.js'
import {
  confirmResize,
  finishResize,
  finishRevertResize,
  prepResize,
  resizeInstance,
  revertResize,
  type ResizeArgs,
} from './resize.js'
import {
  backupInstance,
  shelveInstance,
  shelveOffloadInstance,
  snapshotInstance,
  unshelveInstance,
  type BackupArgs,
  type ShelveArgs,
  type SnapshotArgs,
  type UnshelveArgs,
} from './shelve-snapshot.js'

export type { MoveOperationDeps } from './common.js'

const uuidOf = (method: string, args: Record<string, unknown>): string => {
  if (typeof args.instance_uuid !== 'string' || args.instance_uuid === '')
    throw new Invalid(`${method} needs an instance_uuid`)
  return args.instance_uuid
}

const migrationArgs = (method: string, args: Record<string, unknown>): ResizeArgs => {
  uuidOf(method, args)
  if (typeof args.migration_id !== 'number') throw new Invalid(`${method} needs a migration_id`)
  return args as unknown as ResizeArgs
}

/**
 * nova-compute's RPC methods of compute 1.3 (rebuild, resize, shelve, rescue, snapshot), all casts: the
 * caller never waits; each failure ends in the instance's fault and state, never in an RPC error.
 */
export function moveOperationEndpoints(deps: MoveOperationDeps): RpcEndpoints {
  const later = async (work: () => Promise<void>): Promise<null> => {
    await work()
    return null
  }
  return {
    ...liveMigrationEndpoints(deps),
    rebuild_instance: async (ctx, args) => {
      uuidOf('rebuild_instance', args)
      if (typeof args.image_ref !== 'string') throw new Invalid('rebuild_instance needs an image_ref')
      if (args.recreate === true) {
        if (typeof args.migration_id !== 'number' || typeof args.node !== 'string')
          throw new Invalid('rebuild_instance (recreate) needs a migration_id and a node')
        return await later(() => evacuateInstance(deps, ctx, args as unknown as EvacuateArgs))
      }
      return await later(() => rebuildInstance(deps, ctx, args as unknown as RebuildArgs))
    },
    prep_resize: async (ctx, args) =>
      await later(() => prepResize(deps, ctx, migrationArgs('prep_resize', args))),
    resize_instance: async (ctx, args) =>
      await later(() => resizeInstance(deps, ctx, migrationArgs('resize_instance', args))),
    finish_resize: async (ctx, args) =>
      await later(() => finishResize(deps, ctx, migrationArgs('finish_resize', args))),
    confirm_resize: async (ctx, args) =>
      await later(() => confirmResize(deps, ctx, migrationArgs('confirm_resize', args))),
    revert_resize: async (ctx, args) =>
      await later(() => revertResize(deps, ctx, migrationArgs('revert_resize', args))),
    finish_revert_resize: async (ctx, args) =>
      await later(() => finishRevertResize(deps, ctx, migrationArgs('finish_revert_resize', args))),
    shelve_instance: async (ctx, args) => {
      uuidOf('shelve_instance', args)
      return await later(() => shelveInstance(deps, ctx, args as unknown as ShelveArgs))
    },
    shelve_offload_instance: async (ctx, args) =>
      await later(() => shelveOffloadInstance(deps, ctx, uuidOf('shelve_offload_instance', args))),
    unshelve_instance: async (ctx, args) => {
      uuidOf('unshelve_instance', args)
      return await later(() => unshelveInstance(deps, ctx, args as unknown as UnshelveArgs))
    },
    rescue_instance: async (ctx, args) => {
      uuidOf('rescue_instance', args)
      return await later(() => rescueInstance(deps, ctx, args as unknown as RescueArgs))
    },
    unrescue_instance: async (ctx, args) =>
      await later(() => unrescueInstance(deps, ctx, uuidOf('unrescue_instance', args))),
    snapshot_instance: async (ctx, args) => {
      uuidOf('snapshot_instance', args)
      if (typeof args.image_id !== 'string') throw new Invalid('snapshot_instance needs an image_id')
      return await later(() => snapshotInstance(deps, ctx, args as unknown as SnapshotArgs))
    },
    backup_instance: async (ctx, args) => {
      uuidOf('backup_instance', args)
      if (
        typeof args.image_id !== 'string' ||
        typeof args.backup_type !== 'string' ||
        typeof args.rotation !== 'number'
      )
        throw new Invalid('backup_instance needs an image_id, a backup_type and a rotation')
      return await later(() => backupInstance(deps, ctx, args as unknown as BackupArgs))
    },
  }
}
