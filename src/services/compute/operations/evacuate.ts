import type { RequestContext } from '../../../common/context.js'
import { PowerState } from '../driver/power-state.js'
import { guestRef } from '../manager.js'
import {
  failInstance,
  imageFromSystemMetadata,
  spawnRequestOf,
  withEvent,
  type MoveOperationDeps,
} from './common.js'

export interface EvacuateArgs {
  readonly instance_uuid: string
  readonly image_ref: string
  readonly recreate: true
  /** The `evacuation` migration. */
  readonly migration_id: number
  /** The node of this host the scheduler (or the forced host) gave. */
  readonly node: string
  /** Its provider, whose allocation goes again when the rebuild fails. */
  readonly node_uuid?: string
  readonly admin_password?: string | null
  readonly on_shared_storage?: boolean | null
  /** `stopped` (2.95): the guest is left off. */
  readonly target_state?: string
}

/** Nova's InstanceRecreateNotSupported. */
const RECREATE_NOT_SUPPORTED = 'Instance recreate is not supported.'

/**
 * Nova's rebuild_instance with recreate on the destination of an evacuation: the rebuild claim takes the
 * migration (pre-migrating), the guest is spawned anew from the instance's image (task_state
 * rebuild_block_device_mapping, then rebuild_spawning; off when the instance was stopped or 2.95 asks for it),
 * the migration is `done` and the instance moves here: host, node, launched_on, ACTIVE (STOPPED). A failure:
 * migration `failed`, the guest and this host's allocation go, the instance (still on its source) in ERROR.
 */
export async function evacuateInstance(deps: MoveOperationDeps, ctx: RequestContext, args: EvacuateArgs) {
  const { conductor, driver } = deps
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_rebuild_instance', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    const stopped = args.target_state === 'stopped' || instance.vm_state === 'stopped'
    const guest = guestRef(instance)
    let spawned = false
    try {
      await conductor.migrationUpdate(ctx, args.migration_id, {
        status: 'pre-migrating',
        dest_compute: deps.host,
        dest_host: deps.host,
        dest_node: args.node,
      })
      if (!driver.capabilities.supportsEvacuate) throw new Error(RECREATE_NOT_SUPPORTED)
      await conductor.instanceUpdate(ctx, uuid, { task_state: 'rebuild_block_device_mapping' }, [
        'rebuilding',
      ])
      await conductor.instanceUpdate(ctx, uuid, { task_state: 'rebuild_spawning' }, [
        'rebuild_block_device_mapping',
      ])
      spawned = true
      const imageId = args.image_ref === '' ? instance.image_ref : args.image_ref
      await driver.spawn({
        ...spawnRequestOf(instance, {
          powerOn: !stopped,
          ...(args.admin_password === null || args.admin_password === undefined
            ? {}
            : { adminPassword: args.admin_password }),
        }),
        image: imageFromSystemMetadata(imageId, instance.system_metadata),
      })
      await conductor.migrationUpdate(ctx, args.migration_id, { status: 'done' })
      await conductor.instanceSave(ctx, uuid, {
        changes: {
          host: deps.host,
          node: args.node,
          launched_on: deps.host,
          vm_state: stopped ? 'stopped' : 'active',
          task_state: null,
          power_state: stopped ? PowerState.SHUTDOWN : PowerState.RUNNING,
          launched_at: new Date().toISOString(),
        },
        expected_task_state: ['rebuild_spawning'],
      })
    } catch (error) {
      await conductor.migrationUpdate(ctx, args.migration_id, { status: 'failed' }).catch(() => undefined)
      if (spawned) await driver.destroy(guest).catch(() => undefined)
      if (args.node_uuid !== undefined)
        await deps.placement?.removeFromProvider(uuid, args.node_uuid).catch(() => false)
      await failInstance(deps, ctx, uuid, error)
      throw error
    }
  }).catch(() => undefined)
}
