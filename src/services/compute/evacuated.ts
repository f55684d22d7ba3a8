import type { RequestContext } from '../../common/context.js'
import type { EvacuationView } from '../conductor/client.js'
import { guestRef } from './manager.js'
import type { RecoveryDeps } from './recovery.js'

/**
 * The evacuations from this host not cleaned up yet (accepted, pre-migrating or done). Read before the start-up
 * recovery, which leaves their instances alone (Nova's init_host skips the evacuated instances): a source that
 * comes back while an evacuation runs must not settle the instance the destination is rebuilding.
 */
export async function openEvacuations(deps: RecoveryDeps, ctx: RequestContext): Promise<EvacuationView[]> {
  return await deps.conductor.evacuationsFromHost(ctx, deps.host)
}

/**
 * Nova's _destroy_evacuated_instances, run when nova-compute starts (after its first resource update, so that
 * its nodes' providers are known): the instances evacuated from this host while it was down (their `evacuation`
 * migrations from here still accepted, pre-migrating or done) have their guests here destroyed, their allocations
 * on this host's node removed (a deleted instance has none left), and the migrations become `completed`.
 * Returns how many evacuations were cleaned up.
 */
export async function destroyEvacuatedInstances(
  deps: RecoveryDeps,
  ctx: RequestContext,
  evacuations: readonly EvacuationView[],
): Promise<number> {
  const { conductor, driver, logger } = deps
  if (evacuations.length === 0) return 0
  const local = new Set(await driver.listInstanceUuids())
  let cleaned = 0
  for (const { migration, instance_id: id, instance_deleted: deleted } of evacuations) {
    const uuid = migration.instance_uuid
    try {
      if (local.has(uuid)) {
        logger.info({ instance: uuid }, 'destroying the guest of an instance evacuated from this host')
        await driver.destroy(guestRef({ uuid, id: id ?? 0 }))
        deps.tracker.dropClaim(uuid)
      }
      if (!deleted && deps.placement !== undefined) {
        const node = deps.tracker.node(migration.source_node ?? '')
        if (node === undefined) {
          logger.error(
            { instance: uuid, node: migration.source_node },
            'the source node of an evacuated instance is not known here: its allocation is left',
          )
          continue
        }
        await deps.placement.removeFromProvider(uuid, node.uuid)
      }
      await conductor.migrationUpdate(ctx, migration.id, { status: 'completed' })
      cleaned++
    } catch (error) {
      logger.error({ err: error, instance: uuid }, 'could not clean up after an evacuated instance')
    }
  }
  return cleaned
}
