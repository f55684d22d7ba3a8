import type { RequestContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import type { RpcEndpoints } from '../../bus/index.js'
import { Invalid, NovaError, RescheduledException } from '../../common/errors/index.js'
import type { ConductorClient, InstanceView } from '../conductor/client.js'
import type { PlacementClient } from '../placement/client.js'
import type { BuildAndRunArgs } from './client.js'
import type { HypervisorDriver, SpawnRequest } from './driver/driver.js'
import { PowerState } from './driver/power-state.js'
import type { ResourceTracker } from './resource-tracker.js'
import { errorText, withInstanceEvent } from './instance-event.js'
import { configDriveRequired, guestRef, instanceSpecOf, wantsConfigDrive } from './instance-spec.js'

export { guestRef }

export interface ComputeManagerDeps {
  readonly host: string
  readonly driver: HypervisorDriver
  readonly conductor: ConductorClient
  readonly tracker: ResourceTracker
  readonly placement: PlacementClient | undefined
  readonly logger: Logger
  /** `[DEFAULT] force_config_drive`: every instance built here gets a config drive. */
  readonly forceConfigDrive?: boolean
}

/** Nova's BuildAbortException cases do not reschedule: errors of the request itself (4xx), not of the host. */
const reschedulable = (error: unknown): boolean => !(error instanceof NovaError && error.status < 500)

/**
 * The instance operations of nova-compute (Nova's ComputeManager): state changes, events and faults go through
 * the conductor; the guest itself is the driver's.
 */
export class ComputeManager {
  readonly #d: ComputeManagerDeps

  constructor(deps: ComputeManagerDeps) {
    this.#d = deps
  }

  endpoints(): RpcEndpoints {
    return {
      build_and_run_instance: async (ctx, args) => {
        if (typeof args.instance_uuid !== 'string' || typeof args.node !== 'string')
          throw new Invalid('build_and_run_instance needs an instance_uuid and a node')
        await this.buildAndRunInstance(ctx, args as unknown as BuildAndRunArgs)
        return null
      },
      terminate_instance: async (ctx, args) => {
        if (typeof args.instance_uuid !== 'string')
          throw new Invalid('terminate_instance needs an instance_uuid')
        await this.terminateInstance(ctx, args.instance_uuid)
        return null
      },
    }
  }

  /** Runs `fn` as the instance action event `event` on this host. */
  async #event<T>(ctx: RequestContext, uuid: string, event: string, fn: () => Promise<T>): Promise<T> {
    return await withInstanceEvent(this.#d, ctx, uuid, event, fn)
  }

  /**
   * Nova's _do_build_and_run_instance: task_state spawning (only from scheduling or none), a claim on the node,
   * the driver's spawn, then ACTIVE/RUNNING with launched_at. A failed spawn leaves the instance in ERROR with
   * the error as its fault, without host and node, and its allocations removed, unless the build carries a retry:
   * then it is rescheduled to the next alternate through the conductor (#reschedule).
   */
  async buildAndRunInstance(ctx: RequestContext, args: BuildAndRunArgs): Promise<void> {
    const { conductor, driver, tracker, logger } = this.#d
    const uuid = args.instance_uuid
    await this.#event(ctx, uuid, 'compute__do_build_and_run_instance', async () => {
      let instance: InstanceView
      try {
        instance = await conductor.instanceUpdate(
          ctx,
          uuid,
          { vm_state: 'building', task_state: 'spawning' },
          ['scheduling', null],
          // Still a build: not one this host's start-up recovery already failed while the cast sat in its queue.
          ['building'],
        )
      } catch (error) {
        // Deleted (or changed) while it was on its way here: nothing to build.
        logger.info({ err: error, instance: uuid }, 'instance not buildable any more; build skipped')
        return
      }
      const flavor = (args.request_spec.flavor ?? {}) as Record<string, unknown>
      const num = (v: unknown) => (typeof v === 'number' ? v : 0)
      const image = (args.request_spec.image ?? {}) as Record<string, unknown>
      tracker.claim(uuid, args.node, {
        vcpus: num(flavor.vcpus),
        memoryMb: num(flavor.memoryMb),
        diskGb: num(flavor.rootGb) + num(flavor.ephemeralGb),
      })
      const properties = Object.fromEntries(
        Object.entries((image.properties ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      )
      // Nova's configdrive.required_by / update_instance: a drive forced here or by the image is recorded.
      const configDrive = configDriveRequired(instance, properties, this.#d.forceConfigDrive ?? false)
      const request: SpawnRequest = {
        instance: instanceSpecOf(
          instance,
          {
            vcpus: num(flavor.vcpus),
            memoryMb: num(flavor.memoryMb),
            rootGb: num(flavor.rootGb),
            ephemeralGb: num(flavor.ephemeralGb),
            swapMb: num(flavor.swap),
            extraSpecs: (flavor.extraSpecs ?? {}) as Record<string, string>,
          },
          { configDrive, ...(typeof flavor.name === 'string' ? { flavorName: flavor.name } : {}) },
        ),
        image: {
          ...(typeof image.id === 'string' ? { id: image.id } : {}),
          ...(typeof image.diskFormat === 'string' ? { diskFormat: image.diskFormat } : {}),
          properties,
        },
        allocations: args.allocations,
        networkInfo: [],
        blockDeviceInfo: { blockDevices: [] },
        ...(args.admin_password === undefined ? {} : { adminPassword: args.admin_password }),
      }
      try {
        await driver.spawn(request)
        await conductor.instanceUpdate(
          ctx,
          uuid,
          {
            vm_state: 'active',
            task_state: null,
            power_state: PowerState.RUNNING,
            launched_at: new Date().toISOString(),
            ...(configDrive && !wantsConfigDrive(instance) ? { config_drive: 'True' } : {}),
          },
          ['spawning'],
        )
        tracker.buildSucceeded()
      } catch (error) {
        tracker.dropClaim(uuid)
        tracker.buildFailed()
        logger.error({ err: error, instance: uuid }, 'build of instance failed')
        await driver.destroy(guestRef(instance)).catch(() => undefined)
        if (args.retry !== undefined && reschedulable(error)) await this.#reschedule(ctx, args, error)
        await this.#setError(ctx, uuid, error, true)
        await this.#d.placement?.deleteAllocations(uuid).catch(() => false)
        throw error
      }
    }).catch(() => undefined)
  }

  /**
   * Nova's reschedule in _do_build_and_run_instance: host and node cleared, task_state back to scheduling, the
   * allocations removed (so that the conductor can claim on the alternate), then the conductor's build_instances
   * with the alternates left. Throws RescheduledException (the failed host's build event records it); returns
   * only when the instance was deleted meanwhile (its delete cleans up).
   */
  async #reschedule(ctx: RequestContext, args: BuildAndRunArgs, error: unknown): Promise<never> {
    const { conductor, placement, logger } = this.#d
    const uuid = args.instance_uuid
    const reason = error instanceof Error ? error.message : String(error)
    try {
      await conductor.instanceUpdate(ctx, uuid, { host: null, node: null, task_state: 'scheduling' }, [
        'spawning',
      ])
    } catch (e) {
      logger.info({ err: e, instance: uuid }, 'instance changed (deleted?) during its build; not rescheduled')
      throw error
    }
    await placement?.deleteAllocations(uuid).catch(() => false)
    await conductor.buildInstances(ctx, {
      instance_uuid: uuid,
      request_spec: args.request_spec,
      host_list: args.host_list ?? [],
      retry: args.retry!,
      ...(args.admin_password === undefined ? {} : { admin_password: args.admin_password }),
    })
    throw new RescheduledException({ instanceUuid: uuid, reason })
  }

  async #setError(ctx: RequestContext, uuid: string, error: unknown, clearHost: boolean): Promise<void> {
    const { conductor, host, logger } = this.#d
    try {
      // The fault first, as Nova does: whoever sees ERROR also sees why.
      await conductor.instanceFaultCreate(ctx, uuid, {
        code: 500,
        message: error instanceof Error ? error.message : String(error),
        details: errorText(error),
        host,
      })
      await conductor.instanceUpdate(ctx, uuid, {
        vm_state: 'error',
        task_state: null,
        ...(clearHost ? { host: null, node: null } : {}),
      })
    } catch (e) {
      logger.warn({ err: e, instance: uuid }, 'could not set the instance to ERROR')
    }
  }

  /** Nova's terminate_instance: the guest goes, then the conductor soft-deletes the instance and frees placement. */
  async terminateInstance(ctx: RequestContext, uuid: string): Promise<void> {
    const { conductor, driver, tracker, logger } = this.#d
    await this.#event(ctx, uuid, 'compute_terminate_instance', async () => {
      const instance = await conductor.instanceGet(ctx, uuid)
      await driver.destroy(guestRef(instance))
      tracker.dropClaim(uuid)
      await conductor.instanceUpdate(ctx, uuid, {
        power_state: PowerState.NOSTATE,
        terminated_at: new Date().toISOString(),
      })
      await conductor.instanceDestroy(ctx, uuid)
    }).catch((error: unknown) => {
      logger.error({ err: error, instance: uuid }, 'terminating the instance failed')
      return this.#setError(ctx, uuid, error, false)
    })
  }
}
