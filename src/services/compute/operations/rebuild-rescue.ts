import type { RequestContext } from '../../../common/context.js'
import { GuestNotFound } from '../driver/errors.js'
import { supportsRescue } from '../driver/driver.js'
import { PowerState } from '../driver/power-state.js'
import { guestRef } from '../manager.js'
import {
  failInstance,
  imageMetaOf,
  settledVmState,
  spawnRequestOf,
  instanceOperation,
  withEvent,
  type MoveOperationDeps,
} from './common.js'

export interface RebuildArgs {
  readonly instance_uuid: string
  /** The image to boot from now (already recorded on the instance by the API). */
  readonly image_ref: string
  readonly orig_image_ref?: string
  readonly admin_password?: string
  readonly preserve_ephemeral?: boolean
}

/**
 * Nova's rebuild_instance on the instance's own host (recreate=False), the driver's default way: the guest is
 * powered off and destroyed (task_state rebuild_block_device_mapping), spawned again from the new image
 * (rebuild_spawning), then ACTIVE (SHUTOFF again, if it was stopped) with a new launched_at.
 */
export async function rebuildInstance(deps: MoveOperationDeps, ctx: RequestContext, args: RebuildArgs) {
  const { conductor, driver } = deps
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_rebuild_instance', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    const wasStopped = instance.vm_state === 'stopped'
    const guest = guestRef(instance)
    try {
      await driver.powerOff(guest).catch((error: unknown) => {
        if (!(error instanceof GuestNotFound)) throw error
      })
      await conductor.instanceUpdate(ctx, uuid, { task_state: 'rebuild_block_device_mapping' }, [
        'rebuilding',
      ])
      await driver.destroy(guest)
      await conductor.instanceUpdate(ctx, uuid, { task_state: 'rebuild_spawning' }, [
        'rebuild_block_device_mapping',
      ])
      await driver.spawn(
        spawnRequestOf(instance, {
          imageId: args.image_ref,
          powerOn: !wasStopped,
          ...(args.admin_password === undefined ? {} : { adminPassword: args.admin_password }),
        }),
      )
      await conductor.instanceUpdate(
        ctx,
        uuid,
        {
          vm_state: settledVmState(instance.vm_state),
          task_state: null,
          power_state: wasStopped ? PowerState.SHUTDOWN : PowerState.RUNNING,
          launched_at: new Date().toISOString(),
        },
        ['rebuild_spawning'],
      )
    } catch (error) {
      await failInstance(deps, ctx, uuid, error)
      throw error
    }
  }).catch(() => undefined)
}

/** How long rescue waits for the guest to shut down before forcing it (Nova's clean_shutdown, shutdown_timeout). */
const RESCUE_SHUTDOWN_TIMEOUT_S = 60

export interface RescueArgs {
  readonly instance_uuid: string
  readonly rescue_password?: string
  readonly rescue_image_ref?: string
}

/**
 * Nova's rescue_instance: the guest is powered off cleanly, then boots from the rescue image (the instance's own
 * unless rescue_image_ref; its metadata from the image service) with its disk attached, vm_state rescued (RESCUE),
 * old_vm_state kept.
 */
export async function rescueInstance(deps: MoveOperationDeps, ctx: RequestContext, args: RescueArgs) {
  const { conductor, driver } = deps
  const uuid = args.instance_uuid
  await instanceOperation(deps, ctx, uuid, 'compute_rescue_instance', async (instance) => {
    if (!supportsRescue(driver)) throw new Error(`the ${driver.type} driver cannot rescue instances`)
    const own = instance.image_ref
    // A rescue image named must be there; the instance's own may be gone from the image service since it booted:
    // then the driver rescues from what it has of it.
    const image =
      args.rescue_image_ref !== undefined
        ? await imageMetaOf(deps, instance, args.rescue_image_ref)
        : own === null || own === ''
          ? undefined
          : await imageMetaOf(deps, instance, own).catch((error: unknown) => {
              deps.logger.warn(
                { err: error, instance: uuid },
                'no metadata of the instance image to rescue with',
              )
              return undefined
            })
    await driver.powerOff(guestRef(instance), { timeoutS: RESCUE_SHUTDOWN_TIMEOUT_S })
    await driver.rescue(guestRef(instance), {
      ...(args.rescue_image_ref === undefined ? {} : { rescueImageId: args.rescue_image_ref }),
      ...(args.rescue_password === undefined ? {} : { adminPassword: args.rescue_password }),
      ...(image === undefined ? {} : { image }),
    })
    await conductor.instanceSave(ctx, uuid, {
      changes: { vm_state: 'rescued', task_state: null, power_state: PowerState.RUNNING },
      expected_task_state: ['rescuing'],
      system_metadata: { old_vm_state: instance.vm_state },
    })
  })
}

/** Nova's unrescue_instance: back to the guest's own disk, ACTIVE. */
export async function unrescueInstance(deps: MoveOperationDeps, ctx: RequestContext, uuid: string) {
  const { conductor, driver } = deps
  await instanceOperation(deps, ctx, uuid, 'compute_unrescue_instance', async (instance) => {
    if (!supportsRescue(driver)) throw new Error(`the ${driver.type} driver cannot unrescue instances`)
    await driver.unrescue(guestRef(instance))
    await conductor.instanceSave(ctx, uuid, {
      changes: { vm_state: 'active', task_state: null, power_state: PowerState.RUNNING },
      expected_task_state: ['unrescuing'],
      system_metadata: { old_vm_state: null },
    })
  })
}
