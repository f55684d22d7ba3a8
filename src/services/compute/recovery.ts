import type { RequestContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import type { ConductorClient, InstanceView } from '../conductor/client.js'
import type { ComputeNodeReporter, HealResult, PlacementClient } from '../placement/client.js'
import type { HypervisorDriver } from './driver/driver.js'
import { GuestNotFound } from './driver/errors.js'
import { PowerState } from './driver/power-state.js'
import { guestRef } from './manager.js'
import type { ResourceTracker } from './resource-tracker.js'
import type { ComputeClient } from './client.js'
import { resetLiveMigration } from './operations/live-migration.js'

export interface RecoveryDeps {
  readonly host: string
  readonly driver: HypervisorDriver
  readonly conductor: ConductorClient
  readonly tracker: ResourceTracker
  readonly placement: PlacementClient | undefined
  readonly reporter: ComputeNodeReporter | undefined
  readonly logger: Logger
  /** Other computes (an interrupted live migration's destination is told to roll back); undefined: not told. */
  readonly compute?: ComputeClient
}

/** The task_states of a build on its way (Nova's _init_instance puts such an instance in ERROR). */
const BUILD_TASK_STATES = new Set(['scheduling', 'block_device_mapping', 'networking', 'spawning'])
export const LEFT_IN_BUILD_MESSAGE = 'Instance was left in BUILD by a crash of nova-compute'

/** The vm_state a guest's power state stands for once no task is pending. */
const VM_STATE_OF: Readonly<Record<number, string>> = {
  [PowerState.RUNNING]: 'active',
  [PowerState.PAUSED]: 'paused',
  [PowerState.SUSPENDED]: 'suspended',
  [PowerState.SHUTDOWN]: 'stopped',
  [PowerState.CRASHED]: 'stopped',
  [PowerState.NOSTATE]: 'stopped',
}

/** The guest's power state; NOSTATE when the hypervisor has no such guest (Nova's _get_power_state). */
async function powerStateOf(driver: HypervisorDriver, instance: InstanceView): Promise<PowerState> {
  try {
    return (await driver.getInfo(guestRef(instance))).state
  } catch (error) {
    if (error instanceof GuestNotFound) return PowerState.NOSTATE
    throw error
  }
}

async function destroyGuest(driver: HypervisorDriver, instance: InstanceView): Promise<void> {
  await driver.destroy(guestRef(instance)).catch((error: unknown) => {
    if (!(error instanceof GuestNotFound)) throw error
  })
}

/**
 * Nova's init_host/_init_instance, run before nova-compute serves: each instance of this host left mid-operation
 * by a crash is settled. A build on its way (BUILD, or task_state scheduling/block_device_mapping/networking/
 * spawning) whose guest runs becomes ACTIVE; without a running guest it goes to ERROR with a fault, without host
 * and node and without allocations (as a failed build). A delete is finished (guest destroyed, instance
 * soft-deleted, allocations removed by the conductor). Any other pending task (rebooting, powering-off, …) is
 * cleared and the instance takes the guest's real power state (vm_state from it). The driver is the truth: the
 * fake driver has guests only while its object lives, so a restart with surviving guests is a new service around
 * the same driver object.
 */
export async function initInstances(
  deps: RecoveryDeps,
  ctx: RequestContext,
  evacuated: ReadonlySet<string> = new Set(),
): Promise<void> {
  const instances = await deps.conductor.instancesOnHost(ctx, deps.host)
  for (const instance of instances) {
    // Being (or having been) evacuated from here: the destination owns it now.
    if (evacuated.has(instance.uuid)) continue
    try {
      await initInstance(deps, ctx, instance)
    } catch (error) {
      deps.logger.error({ err: error, instance: instance.uuid }, 'could not recover the instance at start')
    }
  }
}

async function initInstance(deps: RecoveryDeps, ctx: RequestContext, instance: InstanceView): Promise<void> {
  const { conductor, driver, logger, host } = deps
  const uuid = instance.uuid
  const power = await powerStateOf(driver, instance)
  if (instance.task_state === 'deleting') {
    logger.info({ instance: uuid }, 'finishing a delete interrupted by a restart')
    await destroyGuest(driver, instance)
    deps.tracker.dropClaim(uuid)
    await conductor.instanceUpdate(ctx, uuid, {
      power_state: PowerState.NOSTATE,
      terminated_at: new Date().toISOString(),
    })
    await conductor.instanceDestroy(ctx, uuid)
    return
  }
  if (instance.vm_state === 'building' || BUILD_TASK_STATES.has(instance.task_state ?? '')) {
    if (power === PowerState.RUNNING) {
      logger.info({ instance: uuid }, 'the guest of a build interrupted by a restart runs: ACTIVE')
      await conductor.instanceUpdate(ctx, uuid, {
        vm_state: 'active',
        task_state: null,
        power_state: PowerState.RUNNING,
        ...(instance.launched_at === null ? { launched_at: new Date().toISOString() } : {}),
      })
      return
    }
    logger.warn({ instance: uuid }, 'instance failed to spawn correctly (a restart); setting it to ERROR')
    await destroyGuest(driver, instance)
    await conductor.instanceFaultCreate(ctx, uuid, { code: 500, message: LEFT_IN_BUILD_MESSAGE, host })
    await conductor.instanceUpdate(ctx, uuid, {
      vm_state: 'error',
      task_state: null,
      power_state: PowerState.NOSTATE,
      host: null,
      node: null,
    })
    await deps.placement?.deleteAllocations(uuid).catch(() => false)
    return
  }
  if (instance.task_state === 'migrating')
    await resetLiveMigration(deps, ctx, uuid).catch((error: unknown) =>
      logger.error({ err: error, instance: uuid }, 'could not reset an interrupted live migration'),
    )
  if (instance.task_state !== null) {
    logger.info(
      { instance: uuid, task_state: instance.task_state },
      'clearing a task interrupted by a restart',
    )
    const vmState =
      instance.vm_state === 'error' ? 'error' : (VM_STATE_OF[power] ?? instance.vm_state ?? 'stopped')
    await conductor.instanceUpdate(ctx, uuid, { task_state: null, power_state: power, vm_state: vmState }, [
      instance.task_state,
    ])
    return
  }
  if (instance.power_state !== power)
    await conductor.instanceUpdate(ctx, uuid, { power_state: power }, [null])
}

/**
 * Heals placement against the instances this host really holds (Nova's resource tracker does this on every
 * update): each node's provider keeps exactly the allocations of the live instances on the node; missing ones
 * are created from the instance's flavor columns.
 */
export async function healAllocations(deps: RecoveryDeps, ctx: RequestContext): Promise<HealResult[]> {
  const { reporter, tracker, driver } = deps
  if (reporter === undefined) return []
  const instances = await deps.conductor.instancesOnHost(ctx, deps.host)
  const results: HealResult[] = []
  for (const nodename of driver.nodeNames()) {
    const node = tracker.node(nodename)
    if (node === undefined) continue
    const hosted = instances
      .filter((i) => i.node === nodename && i.vm_state !== 'deleted' && i.task_state !== 'deleting')
      .map((i) => ({
        uuid: i.uuid,
        projectId: i.project_id ?? '',
        userId: i.user_id ?? '',
        resources: Object.fromEntries(
          [
            ['VCPU', i.vcpus ?? 0],
            ['MEMORY_MB', i.memory_mb ?? 0],
            ['DISK_GB', (i.root_gb ?? 0) + (i.ephemeral_gb ?? 0)],
          ].filter(([, v]) => (v as number) > 0),
        ) as Record<string, number>,
      }))
    const result = await reporter.heal(node.uuid, hosted)
    if (result.created.length > 0 || result.removed.length > 0)
      deps.logger.info({ node: nodename, ...result }, 'healed the allocations of the node')
    results.push(result)
  }
  return results
}

/**
 * Nova's compute_api.stop / force_stop as _sync_instance_power_state calls them: task_state powering-off (only
 * while no task is pending), the guest powered off unless it is gone, then STOPPED with the driver's power state.
 */
async function stopFromSync(deps: RecoveryDeps, ctx: RequestContext, instance: InstanceView): Promise<void> {
  const { conductor, driver } = deps
  await conductor.instanceUpdate(ctx, instance.uuid, { task_state: 'powering-off', progress: 0 }, [null])
  let power = await powerStateOf(driver, instance)
  if (power !== PowerState.NOSTATE) {
    await driver.powerOff(guestRef(instance)).catch(() => undefined)
    power = await powerStateOf(driver, instance)
  }
  await conductor.instanceUpdate(
    ctx,
    instance.uuid,
    { vm_state: 'stopped', task_state: null, power_state: power },
    ['powering-off'],
  )
}

/** Guest power states that count as off (Nova's NOSTATE, SHUTDOWN, CRASHED). */
const OFF: ReadonlySet<number> = new Set([PowerState.NOSTATE, PowerState.SHUTDOWN, PowerState.CRASHED])

/**
 * Nova's _sync_power_states/_sync_instance_power_state: for each instance of this host with no task pending, the
 * driver's power state is recorded, and the instance is stopped the way the stop action does it (task_state
 * powering-off, guest powered off, STOPPED — the API's SHUTOFF) when its guest disagrees: an ACTIVE instance whose
 * guest shut down, crashed, was suspended or vanished (PAUSED is left alone, as in Nova); a PAUSED or SUSPENDED
 * one whose guest is off; a STOPPED one whose guest runs, is paused or suspended (Nova's force_stop). An instance
 * a request changes meanwhile is left to it (expected task_state null).
 */
export async function syncPowerStates(deps: RecoveryDeps, ctx: RequestContext): Promise<void> {
  const { conductor, driver, logger } = deps
  for (const instance of await conductor.instancesOnHost(ctx, deps.host)) {
    if (instance.task_state !== null || instance.vm_state === 'building') continue
    const uuid = instance.uuid
    try {
      const power = await powerStateOf(driver, instance)
      const vmState = instance.vm_state
      if (
        (vmState === 'active' && power !== PowerState.RUNNING && power !== PowerState.PAUSED) ||
        ((vmState === 'paused' || vmState === 'suspended') && OFF.has(power))
      ) {
        logger.warn({ instance: uuid, power_state: power }, 'instance shut down outside of nova; stopping it')
        await stopFromSync(deps, ctx, instance)
      } else if (vmState === 'stopped' && !OFF.has(power)) {
        logger.warn(
          { instance: uuid, power_state: power },
          'instance not stopped though STOPPED; powering it off',
        )
        await stopFromSync(deps, ctx, instance)
      } else if (power !== instance.power_state)
        await conductor.instanceUpdate(ctx, uuid, { power_state: power }, [null])
    } catch (error) {
      logger.warn({ err: error, instance: uuid }, 'power state sync of the instance failed')
    }
  }
}
