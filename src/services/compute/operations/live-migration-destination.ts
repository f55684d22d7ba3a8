import type { RequestContext } from '../../../common/context.js'
import { MigrationPreCheckError, NovaError } from '../../../common/errors/index.js'
import type { InstanceView } from '../../conductor/client.js'
import {
  supportsLiveMigration,
  type HypervisorDriver,
  type ImageMeta,
  type LiveMigrationCapable,
  type LiveMigrationDestinationCheck,
  type LiveMigrationPlan,
} from '../driver/driver.js'
import { guestRef } from '../manager.js'
import { spawnRequestOf, withEvent, type MoveOperationDeps } from './common.js'

// The checks of a live migration (on the destination, which asks the source) and the destination's side of it:
// pre_live_migration, post_live_migration_at_destination, rollback_live_migration_at_destination. The source's
// side is live-migration.ts.

/** check_can_live_migrate_destination's arguments (the conductor's call to the destination). */
export interface DestinationCheckArgs {
  readonly instance_uuid: string
  readonly source: string
  readonly block_migration: boolean | 'auto'
  readonly disk_over_commit: boolean
}

/** The driver, when it can live migrate (a pre-check error otherwise). */
export const liveDriver = (deps: MoveOperationDeps): HypervisorDriver & LiveMigrationCapable => {
  if (!supportsLiveMigration(deps.driver))
    throw new MigrationPreCheckError({
      reason: `the ${deps.driver.type} driver cannot live migrate instances`,
    })
  return deps.driver
}

/** Errors of the checks that reach the API as they are (Nova answers 400 for each). */
const CHECK_ERRORS = new Set(['MigrationPreCheckError', 'InvalidSharedStorage', 'InvalidLocalStorage'])

/** A check's failure as it crosses the bus: the check errors as they are, anything else as a pre-check error. */
const checkError = (error: unknown): unknown =>
  error instanceof NovaError && CHECK_ERRORS.has(error.code)
    ? error
    : new MigrationPreCheckError({ reason: error instanceof Error ? error.message : String(error) })

/** The instance's image as its system metadata keeps it (Nova's image_* keys), for the destination's disks. */
function imageOfInstance(instance: InstanceView): ImageMeta {
  const id = instance.image_ref
  const properties = Object.fromEntries(
    Object.entries(instance.system_metadata)
      .filter(([key]) => key.startsWith('image_'))
      .map(([key, value]) => [key.slice('image_'.length), value]),
  )
  return { ...(id === null || id === '' ? {} : { id }), properties }
}

/**
 * On the destination (Nova's check_can_live_migrate_destination, a call from the conductor): the driver's
 * destination check, then the source's check (a call to it), then the destination check's clean-up. Answers the
 * check data and the settled plan.
 */
export async function checkCanLiveMigrateDestination(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  args: DestinationCheckArgs,
): Promise<{ check: LiveMigrationDestinationCheck; plan: LiveMigrationPlan }> {
  const uuid = args.instance_uuid
  return await withEvent(deps, ctx, uuid, 'compute_check_can_live_migrate_destination', async () => {
    try {
      const driver = liveDriver(deps)
      const instance = await deps.conductor.instanceGet(ctx, uuid)
      const check = await driver.checkCanLiveMigrateDestination(spawnRequestOf(instance).instance, {
        blockMigration: args.block_migration,
        diskOverCommit: args.disk_over_commit,
      })
      try {
        const plan = await deps.compute.liveMigrationCall<LiveMigrationPlan>(
          ctx,
          args.source,
          'check_can_live_migrate_source',
          { instance_uuid: uuid, check },
        )
        return { check, plan }
      } finally {
        await driver.cleanupLiveMigrationDestinationCheck(check).catch(() => undefined)
      }
    } catch (error) {
      throw checkError(error)
    }
  })
}

/** On the source (Nova's check_can_live_migrate_source, a call from the destination): the settled plan. */
export async function checkCanLiveMigrateSource(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  check: LiveMigrationDestinationCheck,
): Promise<LiveMigrationPlan> {
  return await withEvent(deps, ctx, uuid, 'compute_check_can_live_migrate_source', async () => {
    try {
      const instance = await deps.conductor.instanceGet(ctx, uuid)
      return await liveDriver(deps).checkCanLiveMigrateSource(guestRef(instance), check)
    } catch (error) {
      throw checkError(error)
    }
  })
}

/**
 * On the destination (Nova's pre_live_migration, a call from the source): the driver prepares to receive the
 * guest (its disks from the instance's image unless the path is shared) and answers where to send it.
 */
export async function preLiveMigration(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  plan: LiveMigrationPlan,
): Promise<{ uri: string }> {
  return await withEvent(deps, ctx, uuid, 'compute_pre_live_migration', async () => {
    const driver = liveDriver(deps)
    const instance = await deps.conductor.instanceGet(ctx, uuid)
    const allocations = (await deps.placement?.allocationsOf(uuid).catch(() => undefined))?.allocations
    const request = spawnRequestOf(instance, allocations === undefined ? {} : { allocations })
    const { uri } = await driver.preLiveMigration({ ...request, image: imageOfInstance(instance) }, plan)
    return { uri }
  })
}

/**
 * On the destination (Nova's post_live_migration_at_destination, a call from the source): the guest is this
 * host's; the instance moves here (host, node), with the guest's power state and no task.
 */
export async function postLiveMigrationAtDestination(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  args: { instance_uuid: string; migration_id: number; plan: LiveMigrationPlan; paused: boolean },
): Promise<void> {
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_post_live_migration_at_destination', async () => {
    const instance = await deps.conductor.instanceGet(ctx, uuid)
    const migration = await deps.conductor.migrationGet(ctx, args.migration_id)
    const guest = guestRef(instance)
    const driver = liveDriver(deps)
    await driver.postLiveMigrationAtDestination(guest, { plan: args.plan, paused: args.paused })
    const state = (await driver.getInfo(guest)).state
    await deps.conductor.instanceUpdate(
      ctx,
      uuid,
      {
        host: deps.host,
        node: migration.dest_node ?? deps.driver.nodeNames()[0] ?? deps.host,
        power_state: state,
        task_state: null,
        progress: 0,
      },
      ['migrating'],
    )
  })
}

/** On the destination (Nova's rollback_live_migration_at_destination, a cast): what pre_live_migration made goes. */
export async function rollbackLiveMigrationAtDestination(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  plan: LiveMigrationPlan,
): Promise<void> {
  await withEvent(deps, ctx, uuid, 'compute_rollback_live_migration_at_destination', async () => {
    const instance = await deps.conductor.instanceGet(ctx, uuid)
    await liveDriver(deps).rollbackLiveMigrationAtDestination(guestRef(instance), plan)
  }).catch(() => undefined)
}
