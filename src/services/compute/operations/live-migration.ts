import type { RequestContext } from '../../../common/context.js'
import { Invalid } from '../../../common/errors/index.js'
import type { InstanceView } from '../../conductor/client.js'
import type { LiveMigrationPlan, LiveMigrationProgress } from '../driver/driver.js'
import { PowerState } from '../driver/power-state.js'
import { guestRef } from '../manager.js'
import { withEvent, type MoveOperationDeps } from './common.js'
import { liveDriver } from './live-migration-destination.js'

// The source's side of a live migration (Nova's live_migration → _do_live_migration, _post_live_migration,
// _rollback_live_migration, force-complete, abort, and the reset at start-up). The checks and the destination's
// side are in live-migration-destination.ts, the RPC table in live-migration-endpoints.ts.

/** live_migration's arguments (the conductor's cast to the source; Nova's migrate_data as named fields). */
export interface LiveMigrationArgs {
  readonly instance_uuid: string
  readonly migration_id: number
  readonly dest: string
  readonly plan: LiveMigrationPlan
}

/** A live migration running from this host: the abort handle, and whether the transfer has started. */
interface Running {
  readonly controller: AbortController
  readonly migrationId: number
  transferring: boolean
}

/** The live migrations under way from each host of this process, by `<host>/<instance uuid>`. */
const RUNNING = new Map<string, Running>()
const runningKey = (deps: MoveOperationDeps, uuid: string): string => `${deps.host}/${uuid}`

/** How often at most a running migration's progress is written to its record. */
const PROGRESS_WRITE_SPACING_MS = 1000

const progressFields = (p: LiveMigrationProgress) => ({
  memory_total: p.memoryTotal,
  memory_processed: p.memoryProcessed,
  memory_remaining: p.memoryRemaining,
  disk_total: p.diskTotal,
  disk_processed: p.diskProcessed,
  disk_remaining: p.diskRemaining,
})

/**
 * A running migration's progress, written to its record through the conductor: the first report at once, then
 * at most every PROGRESS_WRITE_SPACING_MS; `flush` writes the last figures.
 */
function progressWriter(deps: MoveOperationDeps, ctx: RequestContext, migrationId: number) {
  let latest: LiveMigrationProgress | undefined
  let lastWrite = 0
  let writing: Promise<void> | undefined
  const write = async (): Promise<void> => {
    const p = latest
    latest = undefined
    if (p === undefined) return
    lastWrite = Date.now()
    await deps.conductor.migrationUpdate(ctx, migrationId, progressFields(p)).catch((error: unknown) => {
      deps.logger.warn({ err: error, migration: migrationId }, 'could not record live migration progress')
    })
  }
  return {
    report(p: LiveMigrationProgress): void {
      latest = p
      if (writing === undefined && Date.now() - lastWrite >= PROGRESS_WRITE_SPACING_MS)
        writing = write().finally(() => (writing = undefined))
    },
    async flush(): Promise<void> {
      await writing
      await write()
    },
  }
}

/**
 * On the source (Nova's live_migration → _do_live_migration, a cast from the conductor): migration `queued`, then
 * `preparing` (the destination's pre_live_migration), `running` (the driver's transfer, its progress written to
 * the migration), then post_live_migration; a failure or an abort rolls back (the guest stays here).
 */
export async function liveMigration(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  args: LiveMigrationArgs,
): Promise<void> {
  const { conductor } = deps
  const uuid = args.instance_uuid
  const running: Running = {
    controller: new AbortController(),
    migrationId: args.migration_id,
    transferring: false,
  }
  const key = runningKey(deps, uuid)
  RUNNING.set(key, running)
  const status = (value: string) => conductor.migrationUpdate(ctx, args.migration_id, { status: value })
  const signal = running.controller.signal
  await withEvent(deps, ctx, uuid, 'compute_live_migration', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    try {
      const driver = liveDriver(deps)
      await status('queued')
      signal.throwIfAborted()
      await status('preparing')
      const { uri } = await deps.compute.liveMigrationCall<{ uri: string }>(
        ctx,
        args.dest,
        'pre_live_migration',
        {
          instance_uuid: uuid,
          plan: args.plan,
        },
      )
      signal.throwIfAborted()
      await status('running')
      const progress = progressWriter(deps, ctx, args.migration_id)
      running.transferring = true
      await driver.liveMigration(
        guestRef(instance),
        { destinationHost: args.dest, destinationUri: uri, plan: args.plan },
        { signal, onProgress: (p) => progress.report(p) },
      )
      await progress.flush()
    } catch (error) {
      RUNNING.delete(key)
      await rollbackLiveMigration(deps, ctx, args, instance, signal.aborted)
      throw error
    }
    RUNNING.delete(key)
    await postLiveMigration(deps, ctx, args, instance)
  }).catch(() => undefined)
}

/**
 * On the source after the transfer (Nova's _post_live_migration): what is left of the guest here goes, the
 * destination takes the instance (post_live_migration_at_destination: host, node, power state), migration
 * `completed`, and the source allocations the migration held are removed.
 */
async function postLiveMigration(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  args: LiveMigrationArgs,
  instance: InstanceView,
): Promise<void> {
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute__post_live_migration', async () => {
    await liveDriver(deps)
      .postLiveMigrationAtSource(guestRef(instance), args.plan)
      .catch((error: unknown) => {
        deps.logger.warn(
          { err: error, instance: uuid },
          'clean-up of the migrated guest at the source failed',
        )
      })
    deps.tracker.dropClaim(uuid)
    await deps.compute.liveMigrationCall(ctx, args.dest, 'post_live_migration_at_destination', {
      instance_uuid: uuid,
      migration_id: args.migration_id,
      plan: args.plan,
      paused: instance.vm_state === 'paused',
    })
    const migration = await deps.conductor.migrationUpdate(ctx, args.migration_id, { status: 'completed' })
    await deps.placement?.deleteAllocations(migration.uuid).catch(() => false)
  })
}

/**
 * On the source after a failed or aborted migration (Nova's _rollback_live_migration): the destination drops what
 * it prepared, the migration's (source) allocations go back to the instance (the destination's claim with them),
 * migration `cancelled` (abort) or `error`, and the instance stays here as it was, its task cleared.
 */
async function rollbackLiveMigration(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  args: LiveMigrationArgs,
  instance: InstanceView,
  aborted: boolean,
): Promise<void> {
  const uuid = args.instance_uuid
  const { conductor } = deps
  await withEvent(deps, ctx, uuid, 'compute__rollback_live_migration', async () => {
    await deps.compute
      .liveMigrationCast(ctx, args.dest, 'rollback_live_migration_at_destination', {
        instance_uuid: uuid,
        plan: args.plan,
      })
      .catch((error: unknown) => deps.logger.warn({ err: error, instance: uuid }, 'destination rollback'))
    const migration = await conductor.migrationUpdate(ctx, args.migration_id, {
      status: aborted ? 'cancelled' : 'error',
    })
    await deps.placement?.moveAllocations(migration.uuid, uuid).catch(() => false)
    const state = await deps.driver.getInfo(guestRef(instance)).then(
      (info) => info.state,
      () => instance.power_state ?? PowerState.NOSTATE,
    )
    await conductor.instanceUpdate(ctx, uuid, { task_state: null, power_state: state }, ['migrating'])
  }).catch(() => undefined)
}

/**
 * At nova-compute's start (Nova's _reset_live_migration from _init_instance), for an instance of this host still
 * in task_state migrating: a live migration from here that is still open was cut off by the restart. One still
 * running in this process is aborted (it rolls back itself); otherwise the migration ends in `error`, its source
 * allocations go back to the instance (the destination's claim with them) and the destination drops what it
 * prepared (keeping disks: whether the path was shared is not known any more). The caller clears the task.
 */
export async function resetLiveMigration(
  deps: Pick<MoveOperationDeps, 'host' | 'conductor' | 'placement' | 'logger'> & {
    readonly compute?: MoveOperationDeps['compute']
  },
  ctx: RequestContext,
  uuid: string,
): Promise<void> {
  const open = await deps.conductor.migrationsInProgress(ctx, uuid)
  for (const m of open) {
    if (m.migration_type !== 'live-migration' || m.source_compute !== deps.host) continue
    const running = RUNNING.get(`${deps.host}/${uuid}`)
    if (running !== undefined && running.migrationId === m.id) {
      running.controller.abort()
      continue
    }
    deps.logger.warn({ instance: uuid, migration: m.id }, 'a live migration was cut off by a restart')
    await deps.conductor.migrationUpdate(ctx, m.id, { status: 'error' })
    await deps.placement?.moveAllocations(m.uuid, uuid).catch(() => false)
    if (m.dest_compute !== null)
      await deps.compute
        ?.liveMigrationCast(ctx, m.dest_compute, 'rollback_live_migration_at_destination', {
          instance_uuid: uuid,
          plan: { blockMigration: false, sharedInstancePath: true },
        })
        .catch(() => undefined)
  }
}

/**
 * On the source (Nova's live_migration_force_complete, a cast from the API): the driver makes the running transfer
 * converge (QEMU pauses the guest). A migration not transferring yet is left alone (the API only asks for
 * `running` ones).
 */
export async function liveMigrationForceComplete(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  migrationId: number,
): Promise<void> {
  await withEvent(deps, ctx, uuid, 'compute_live_migration_force_complete', async () => {
    const running = RUNNING.get(runningKey(deps, uuid))
    if (running === undefined || running.migrationId !== migrationId || !running.transferring)
      throw new Invalid(`no live migration ${migrationId} of instance ${uuid} is transferring here`)
    const instance = await deps.conductor.instanceGet(ctx, uuid)
    await liveDriver(deps).forceCompleteLiveMigration(guestRef(instance))
  }).catch(() => undefined)
}

/**
 * On the source (Nova's live_migration_abort, a cast from the API): the migration's abort signal fires; the
 * live_migration in progress stops at its next step (or the driver cancels the transfer) and rolls back with the
 * migration `cancelled`.
 */
export async function liveMigrationAbort(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  migrationId: number,
): Promise<void> {
  await withEvent(deps, ctx, uuid, 'compute_live_migration_abort', async () => {
    const running = RUNNING.get(runningKey(deps, uuid))
    if (running === undefined || running.migrationId !== migrationId)
      throw new Invalid(`no live migration ${migrationId} of instance ${uuid} runs here`)
    running.controller.abort()
  }).catch(() => undefined)
}
