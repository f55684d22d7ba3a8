import type { RequestContext } from '../../../common/context.js'
import { Invalid } from '../../../common/errors/index.js'
import type { InstanceView } from '../../conductor/client.js'
import { supportsResize, type MigrationDiskTarget } from '../driver/driver.js'
import { PowerState } from '../driver/power-state.js'
import { guestRef } from '../manager.js'
import {
  failInstance,
  flavorColumns,
  flavorsOf,
  settledVmState,
  spawnRequestOf,
  withEvent,
  type FlavorRecord,
  type MoveOperationDeps,
} from './common.js'

/** The arguments of every resize hop: the instance and its migration record. */
export interface ResizeArgs {
  readonly instance_uuid: string
  readonly migration_id: number
  /** The flavor to move to (prep_resize and resize_instance). */
  readonly flavor?: FlavorRecord
  readonly node?: string
  readonly clean_shutdown?: boolean
  /** confirm_resize of an instance deleted in VERIFY_RESIZE: its database id (it names the guest). */
  readonly deleted_instance_id?: number
  /** resize_instance: where the destination's driver wants the disks (its prepareMigrationTarget), if it said. */
  readonly disk_target?: MigrationDiskTarget
}

/** How long the source waits for the guest to shut down before forcing it (Nova's shutdown_timeout default). */
const RESIZE_SHUTDOWN_TIMEOUT_S = 60

const resizeDriver = (deps: MoveOperationDeps) => {
  if (!supportsResize(deps.driver))
    throw new Invalid(`the ${deps.driver.type} driver cannot resize instances`)
  return deps.driver
}

const oldVmStateOf = (instance: InstanceView): string | undefined => instance.system_metadata.old_vm_state

/**
 * A failed hop: the migration goes to `error`; before the guest moved (prep_resize) the source allocations go
 * back to the instance and only the task is cleared, later the instance goes to ERROR (Nova's
 * _error_out_instance_on_exception).
 */
async function failResize(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  args: ResizeArgs,
  error: unknown,
  beforeMove?: { readonly vmState: string; readonly migrationUuid: string },
): Promise<void> {
  await deps.conductor.migrationUpdate(ctx, args.migration_id, { status: 'error' }).catch(() => undefined)
  if (beforeMove !== undefined) {
    await deps.placement?.moveAllocations(beforeMove.migrationUuid, args.instance_uuid).catch(() => false)
    await failInstance(deps, ctx, args.instance_uuid, error, beforeMove.vmState)
  } else await failInstance(deps, ctx, args.instance_uuid, error)
}

/**
 * One hop of a resize, as the instance action event `event`: a failure fails the resize (failResize) and ends the
 * event in Error; the hop is a cast, so nothing is thrown on.
 */
async function resizeHop(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  args: ResizeArgs,
  event: string,
  hop: () => Promise<void>,
): Promise<void> {
  await withEvent(deps, ctx, args.instance_uuid, event, async () => {
    try {
      await hop()
    } catch (error) {
      await failResize(deps, ctx, args, error)
      throw error
    }
  }).catch(() => undefined)
}

/**
 * On the destination (Nova's prep_resize): records the new flavor and the vm_state to come back to, then asks
 * the source to hand the guest over (resize_instance).
 */
export async function prepResize(deps: MoveOperationDeps, ctx: RequestContext, args: ResizeArgs) {
  const { conductor } = deps
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_prep_resize', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    const migration = await conductor.migrationGet(ctx, args.migration_id)
    try {
      const driver = resizeDriver(deps)
      if (args.flavor === undefined) throw new Invalid('prep_resize needs the new flavor')
      await conductor.instanceSave(ctx, uuid, {
        expected_task_state: ['resize_prep'],
        flavor: { ...flavorsOf(instance), new: args.flavor },
        system_metadata: { old_vm_state: instance.vm_state },
      })
      if (migration.source_compute === null) throw new Invalid('the migration has no source host')
      const target = await driver.prepareMigrationTarget?.(guestRef(instance))
      await deps.compute.move(ctx, migration.source_compute, 'resize_instance', {
        instance_uuid: uuid,
        migration_id: args.migration_id,
        flavor: args.flavor,
        clean_shutdown: args.clean_shutdown ?? true,
        ...(target === undefined ? {} : { disk_target: target }),
      })
    } catch (error) {
      await failResize(deps, ctx, args, error, {
        vmState: instance.vm_state ?? 'active',
        migrationUuid: migration.uuid,
      })
      throw error
    }
  }).catch(() => undefined)
}

/**
 * On the source (Nova's resize_instance): migration `migrating`, task resize_migrating, the driver powers the
 * guest off and hands its disks over, task resize_migrated, migration `post-migrating`; then finish_resize on
 * the destination.
 */
export async function resizeInstance(deps: MoveOperationDeps, ctx: RequestContext, args: ResizeArgs) {
  const { conductor } = deps
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_resize_instance', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    try {
      const driver = resizeDriver(deps)
      const migration = await conductor.migrationUpdate(ctx, args.migration_id, { status: 'migrating' })
      await conductor.instanceUpdate(ctx, uuid, { task_state: 'resize_migrating' }, ['resize_prep'])
      const flavor = args.flavor ?? flavorsOf(instance).new
      if (flavor === null || migration.dest_compute === null) throw new Invalid('the migration is incomplete')
      await driver.migrateDiskAndPowerOff(
        guestRef(instance),
        migration.dest_compute,
        {
          vcpus: flavor.vcpus,
          memoryMb: flavor.memory_mb,
          rootGb: flavor.root_gb,
          ephemeralGb: flavor.ephemeral_gb,
          swapMb: flavor.swap,
        },
        {
          timeoutS: args.clean_shutdown === false ? 0 : RESIZE_SHUTDOWN_TIMEOUT_S,
          ...(args.disk_target === undefined ? {} : { target: args.disk_target }),
        },
      )
      deps.tracker.dropClaim(uuid)
      await conductor.migrationUpdate(ctx, args.migration_id, { status: 'post-migrating' })
      await conductor.instanceUpdate(
        ctx,
        uuid,
        { task_state: 'resize_migrated', power_state: PowerState.SHUTDOWN },
        ['resize_migrating'],
      )
      await deps.compute.move(ctx, migration.dest_compute, 'finish_resize', {
        instance_uuid: uuid,
        migration_id: args.migration_id,
      })
    } catch (error) {
      await failResize(deps, ctx, args, error)
      throw error
    }
  }).catch(() => undefined)
}

/**
 * On the destination (Nova's finish_resize): task resize_finish, the instance takes the new flavor (the old one
 * kept for a revert) and this host, the driver brings the guest up from the migrated disks, migration
 * `finished`, vm_state resized (VERIFY_RESIZE).
 */
export async function finishResize(deps: MoveOperationDeps, ctx: RequestContext, args: ResizeArgs) {
  const { conductor } = deps
  const uuid = args.instance_uuid
  await resizeHop(deps, ctx, args, 'compute_finish_resize', async () => {
    const driver = resizeDriver(deps)
    const instance = await conductor.instanceGet(ctx, uuid)
    const migration = await conductor.migrationGet(ctx, args.migration_id)
    const flavors = flavorsOf(instance)
    if (flavors.new === null) throw new Invalid('the instance has no new flavor to finish the resize with')
    const powerOn = oldVmStateOf(instance) !== 'stopped'
    const moved = await conductor.instanceSave(ctx, uuid, {
      changes: {
        task_state: 'resize_finish',
        host: deps.host,
        node: migration.dest_node,
        instance_type_id: migration.new_instance_type_id,
        ...flavorColumns(flavors.new),
      },
      expected_task_state: ['resize_migrated'],
      flavor: { cur: flavors.new, old: flavors.cur, new: flavors.new },
    })
    const allocations = (await deps.placement?.allocationsOf(uuid).catch(() => undefined))?.allocations
    await driver.finishMigration(
      spawnRequestOf(moved, {
        flavor: flavors.new,
        powerOn,
        ...(allocations === undefined ? {} : { allocations }),
      }),
    )
    await conductor.migrationUpdate(ctx, args.migration_id, { status: 'finished' })
    await conductor.instanceUpdate(
      ctx,
      uuid,
      {
        vm_state: 'resized',
        task_state: null,
        power_state: powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN,
      },
      ['resize_finish'],
    )
  })
}

/**
 * On the source (Nova's confirm_resize): the driver drops what it kept, the migration's allocations go,
 * migration `confirmed`, the old flavor is forgotten, vm_state active (stopped if the guest is off).
 */
export async function confirmResize(deps: MoveOperationDeps, ctx: RequestContext, args: ResizeArgs) {
  const { conductor } = deps
  const uuid = args.instance_uuid
  if (args.deleted_instance_id !== undefined) return await confirmResizeOfDeleted(deps, ctx, args)
  await resizeHop(deps, ctx, args, 'compute_confirm_resize', async () => {
    const driver = resizeDriver(deps)
    const instance = await conductor.instanceGet(ctx, uuid)
    const migration = await conductor.migrationGet(ctx, args.migration_id)
    await driver.confirmMigration(guestRef(instance))
    await deps.placement?.deleteAllocations(migration.uuid).catch(() => false)
    await conductor.migrationUpdate(ctx, args.migration_id, { status: 'confirmed' })
    const flavors = flavorsOf(instance)
    await conductor.instanceSave(ctx, uuid, {
      changes: {
        vm_state: instance.power_state === PowerState.SHUTDOWN ? 'stopped' : 'active',
        task_state: null,
      },
      flavor: { cur: flavors.cur, old: null, new: null },
      system_metadata: { old_vm_state: null },
    })
  })
}

/** On the destination (Nova's revert_resize): the new guest goes, migration `reverted`, finish on the source. */
export async function revertResize(deps: MoveOperationDeps, ctx: RequestContext, args: ResizeArgs) {
  const { conductor } = deps
  const uuid = args.instance_uuid
  await resizeHop(deps, ctx, args, 'compute_revert_resize', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    await deps.driver.destroy(guestRef(instance))
    deps.tracker.dropClaim(uuid)
    const migration = await conductor.migrationUpdate(ctx, args.migration_id, { status: 'reverted' })
    if (migration.source_compute === null) throw new Invalid('the migration has no source host')
    await deps.compute.move(ctx, migration.source_compute, 'finish_revert_resize', {
      instance_uuid: uuid,
      migration_id: args.migration_id,
    })
  })
}

/**
 * On the source (Nova's finish_revert_resize): the old flavor and this host again, the driver brings the kept
 * guest back, the migration's allocations return to the instance, vm_state as before the resize.
 */
export async function finishRevertResize(deps: MoveOperationDeps, ctx: RequestContext, args: ResizeArgs) {
  const { conductor } = deps
  const uuid = args.instance_uuid
  await resizeHop(deps, ctx, args, 'compute_finish_revert_resize', async () => {
    const driver = resizeDriver(deps)
    const instance = await conductor.instanceGet(ctx, uuid)
    const migration = await conductor.migrationGet(ctx, args.migration_id)
    const flavors = flavorsOf(instance)
    const old = flavors.old ?? flavors.cur
    if (old === null) throw new Invalid('the instance has no flavor to revert to')
    const oldVmState = oldVmStateOf(instance)
    const powerOn = oldVmState !== 'stopped'
    const back = await conductor.instanceSave(ctx, uuid, {
      changes: {
        host: deps.host,
        node: migration.source_node,
        instance_type_id: migration.old_instance_type_id,
        ...flavorColumns(old),
      },
      flavor: { cur: old, old: null, new: null },
    })
    await driver.finishRevertMigration(spawnRequestOf(back, { flavor: old, powerOn }))
    await deps.placement?.moveAllocations(migration.uuid, uuid)
    await conductor.instanceSave(ctx, uuid, {
      changes: {
        vm_state: settledVmState(oldVmState),
        task_state: null,
        power_state: powerOn ? PowerState.RUNNING : PowerState.SHUTDOWN,
      },
      expected_task_state: ['resize_reverting'],
      system_metadata: { old_vm_state: null },
    })
  })
}

/** confirm_resize after the instance was deleted in VERIFY_RESIZE: only the source's leftovers and the records. */
async function confirmResizeOfDeleted(deps: MoveOperationDeps, ctx: RequestContext, args: ResizeArgs) {
  const { conductor } = deps
  try {
    const driver = resizeDriver(deps)
    const migration = await conductor.migrationGet(ctx, args.migration_id)
    await driver.confirmMigration(guestRef({ uuid: args.instance_uuid, id: args.deleted_instance_id ?? 0 }))
    await deps.placement?.deleteAllocations(migration.uuid).catch(() => false)
    await conductor.migrationUpdate(ctx, args.migration_id, { status: 'confirmed' })
  } catch (error) {
    deps.logger.warn({ err: error, instance: args.instance_uuid }, 'cleaning up a deleted resize failed')
  }
}
