import type { RequestContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import type { RpcEndpoints } from '../../bus/index.js'
import {
  ConsoleNotAvailable,
  Invalid,
  InstancePasswordSetFailed,
  NotSupportedByDriver,
  UnexpectedStateError,
} from '../../common/errors/index.js'
import type { ConductorClient, InstanceChanges, InstanceView } from '../conductor/client.js'
import type { InstanceActionMethod } from './client.js'
import {
  supportsSetAdminPassword,
  supportsTriggerCrashDump,
  type GuestRef,
  type HypervisorDriver,
} from './driver/driver.js'
import { GuestNotFound } from './driver/errors.js'
import { PowerState } from './driver/power-state.js'
import { guestRef } from './manager.js'
import { errorText, withInstanceEvent } from './instance-event.js'

export interface InstanceActionDeps {
  readonly host: string
  readonly driver: HypervisorDriver
  readonly conductor: ConductorClient
  readonly logger: Logger
  /** `[DEFAULT] shutdown_timeout`: how long a clean power-off waits for the guest. */
  readonly shutdownTimeoutS?: number
}

/** One simple action: the task_state it runs under, the event, the driver call and the states after. */
interface Simple {
  readonly event: string
  readonly taskState: string
  readonly drive: (
    driver: HypervisorDriver,
    guest: GuestRef,
    options: { readonly shutdownTimeoutS: number },
  ) => Promise<void>
  readonly vmState?: string
}

/**
 * The instance actions of nova-compute (Nova's ComputeManager reboot/stop/start/pause/…): each runs as an
 * instance action event, moves the instance with expected task_states through the conductor, and on failure
 * records a fault and clears the task (Nova's @reverts_task_state + @wrap_instance_fault) — vm_state ERROR
 * only where Nova sets it (a failed reboot).
 */
export class InstanceActions {
  readonly #d: InstanceActionDeps

  constructor(deps: InstanceActionDeps) {
    this.#d = deps
  }

  static readonly SIMPLE: Readonly<Record<InstanceActionMethod, Simple>> = {
    stop_instance: {
      event: 'compute_stop_instance',
      taskState: 'powering-off',
      // Nova's clean shutdown: the guest is asked (ACPI) and given shutdown_timeout, then forced off.
      drive: (d, g, o) => d.powerOff(g, { timeoutS: o.shutdownTimeoutS }),
      vmState: 'stopped',
    },
    start_instance: {
      event: 'compute_start_instance',
      taskState: 'powering-on',
      drive: (d, g) => d.powerOn(g),
      vmState: 'active',
    },
    pause_instance: {
      event: 'compute_pause_instance',
      taskState: 'pausing',
      drive: (d, g) => d.pause(g),
      vmState: 'paused',
    },
    unpause_instance: {
      event: 'compute_unpause_instance',
      taskState: 'unpausing',
      drive: (d, g) => d.unpause(g),
      vmState: 'active',
    },
    suspend_instance: {
      event: 'compute_suspend_instance',
      taskState: 'suspending',
      drive: (d, g) => d.suspend(g),
      vmState: 'suspended',
    },
    resume_instance: {
      event: 'compute_resume_instance',
      taskState: 'resuming',
      drive: (d, g) => d.resume(g),
      vmState: 'active',
    },
    soft_delete_instance: {
      event: 'compute_soft_delete_instance',
      taskState: 'soft-deleting',
      drive: (d, g) => d.powerOff(g),
      vmState: 'soft-delete',
    },
    restore_instance: {
      event: 'compute_restore_instance',
      taskState: 'restoring',
      drive: (d, g) => d.powerOn(g),
      vmState: 'active',
    },
    trigger_crash_dump: {
      event: 'compute_trigger_crash_dump',
      taskState: '',
      drive: async (d, g) => {
        if (!supportsTriggerCrashDump(d))
          throw new NotSupportedByDriver({ operation: 'trigger_crash_dump', driver: d.type })
        await d.triggerCrashDump(g)
      },
    },
  }

  endpoints(): RpcEndpoints {
    const uuidOf = (method: string, args: Record<string, unknown>): string => {
      if (typeof args.instance_uuid !== 'string') throw new Invalid(`${method} needs an instance_uuid`)
      return args.instance_uuid
    }
    const simple = Object.fromEntries(
      (Object.keys(InstanceActions.SIMPLE) as InstanceActionMethod[]).map((method) => [
        method,
        async (ctx: RequestContext, args: Record<string, unknown>) => {
          await this.simple(ctx, method, uuidOf(method, args))
          return null
        },
      ]),
    )
    return {
      ...simple,
      reboot_instance: async (ctx, args) => {
        await this.reboot(ctx, uuidOf('reboot_instance', args), args.reboot_type === 'HARD' ? 'HARD' : 'SOFT')
        return null
      },
      set_admin_password: async (ctx, args) => {
        if (typeof args.new_pass !== 'string') throw new Invalid('set_admin_password needs new_pass')
        await this.setAdminPassword(ctx, uuidOf('set_admin_password', args), args.new_pass)
        return null
      },
      get_console_output: async (ctx, args) => {
        const tail = typeof args.tail_length === 'number' ? args.tail_length : undefined
        return await this.getConsoleOutput(ctx, uuidOf('get_console_output', args), tail)
      },
    }
  }

  /** Runs `fn` as the instance action event `event` on this host. */
  async #event<T>(ctx: RequestContext, uuid: string, event: string, fn: () => Promise<T>): Promise<T> {
    return await withInstanceEvent(this.#d, ctx, uuid, event, fn)
  }

  async #powerState(guest: GuestRef): Promise<PowerState> {
    try {
      return (await this.#d.driver.getInfo(guest)).state
    } catch (error) {
      if (error instanceof GuestNotFound) return PowerState.NOSTATE
      throw error
    }
  }

  /** The fault, then the task cleared (and vm_state when given), expected to still be in `taskStates`. */
  async #failed(
    ctx: RequestContext,
    uuid: string,
    error: unknown,
    taskStates: readonly (string | null)[],
    changes: InstanceChanges = {},
  ): Promise<void> {
    const { conductor, host, logger } = this.#d
    logger.error({ err: error, instance: uuid }, 'instance action failed')
    try {
      await conductor.instanceFaultCreate(ctx, uuid, {
        code: 500,
        message: error instanceof Error ? error.message : String(error),
        details: errorText(error),
        host,
      })
      await conductor.instanceUpdate(ctx, uuid, { task_state: null, ...changes }, taskStates)
    } catch (e) {
      logger.warn({ err: e, instance: uuid }, 'could not revert the task state of the instance')
    }
  }

  /** stop/start/pause/unpause/suspend/resume/soft delete/restore/crash dump: one driver call between states. */
  async simple(ctx: RequestContext, method: InstanceActionMethod, uuid: string): Promise<void> {
    const { conductor, driver } = this.#d
    const action = InstanceActions.SIMPLE[method]
    const expected = action.taskState === '' ? undefined : [action.taskState]
    await this.#event(ctx, uuid, action.event, async () => {
      const instance = await conductor.instanceGet(ctx, uuid)
      const guest = guestRef(instance)
      try {
        await action.drive(driver, guest, { shutdownTimeoutS: this.#d.shutdownTimeoutS ?? 60 })
      } catch (error) {
        await this.#failed(ctx, uuid, error, expected ?? [instance.task_state])
        throw error
      }
      const power = await this.#powerState(guest)
      await conductor.instanceUpdate(
        ctx,
        uuid,
        {
          power_state: power,
          ...(action.vmState === undefined ? {} : { vm_state: action.vmState, task_state: null }),
        },
        expected,
      )
    }).catch(() => undefined)
  }

  /**
   * Nova's reboot_instance: reboot_pending(_hard), reboot_started(_hard), the driver's reboot, then ACTIVE with
   * the guest's power state; a failed reboot leaves the instance in ERROR with the fault.
   */
  async reboot(ctx: RequestContext, uuid: string, kind: 'SOFT' | 'HARD'): Promise<void> {
    const { conductor, driver } = this.#d
    const sfx = kind === 'HARD' ? '_hard' : ''
    const states = [`rebooting${sfx}`, `reboot_pending${sfx}`, `reboot_started${sfx}`]
    await this.#event(ctx, uuid, 'compute_reboot_instance', async () => {
      let instance: InstanceView = await conductor.instanceGet(ctx, uuid)
      const guest = guestRef(instance)
      try {
        instance = await conductor.instanceUpdate(
          ctx,
          uuid,
          { task_state: `reboot_pending${sfx}`, power_state: await this.#powerState(guest) },
          states,
        )
        await conductor.instanceUpdate(ctx, uuid, { task_state: `reboot_started${sfx}` }, [
          `reboot_pending${sfx}`,
        ])
        await driver.reboot(guest, kind)
      } catch (error) {
        // Another request took the instance over (a HARD reboot over a pending SOFT one, a reset): not a failure.
        if (error instanceof UnexpectedStateError) return
        await this.#failed(ctx, uuid, error, states, { vm_state: 'error' })
        throw error
      }
      await conductor.instanceUpdate(
        ctx,
        uuid,
        { vm_state: 'active', task_state: null, power_state: await this.#powerState(guest) },
        [`reboot_started${sfx}`],
      )
    }).catch(() => undefined)
  }

  /**
   * Nova's set_admin_password (a call): the guest must run; the driver sets it; task_state updating_password is
   * cleared whatever happens. InstancePasswordSetFailed, or NotSupportedByDriver when the driver cannot.
   */
  async setAdminPassword(ctx: RequestContext, uuid: string, password: string): Promise<void> {
    const { conductor, driver } = this.#d
    await this.#event(ctx, uuid, 'compute_set_admin_password', async () => {
      const instance = await conductor.instanceGet(ctx, uuid)
      const guest = guestRef(instance)
      const clear = () => conductor.instanceUpdate(ctx, uuid, { task_state: null }, ['updating_password'])
      if (!supportsSetAdminPassword(driver)) {
        await clear()
        throw new NotSupportedByDriver({ operation: 'set_admin_password', driver: driver.type })
      }
      if ((await this.#powerState(guest)) !== PowerState.RUNNING) {
        await clear()
        throw new InstancePasswordSetFailed({ instanceUuid: uuid, reason: `instance ${uuid} is not running` })
      }
      try {
        await driver.setAdminPassword(guest, password)
      } catch (error) {
        await clear()
        throw new InstancePasswordSetFailed({
          instanceUuid: uuid,
          reason: error instanceof Error ? error.message : String(error),
        })
      }
      await clear()
    })
  }

  /**
   * Nova's _reclaim_queued_deletes: each SOFT_DELETED instance of this host with no task pending, soft-deleted
   * (last updated) more than `intervalS` ago, is deleted for good: guest destroyed, then the conductor
   * soft-deletes the row and removes its allocations.
   */
  async reclaimQueuedDeletes(ctx: RequestContext, intervalS: number): Promise<void> {
    const { conductor, driver, host, logger } = this.#d
    if (intervalS <= 0) return
    const before = Date.now() - intervalS * 1000
    for (const instance of await conductor.instancesOnHost(ctx, host)) {
      if (instance.vm_state !== 'soft-delete' || instance.task_state !== null) continue
      if (instance.updated_at !== null && Date.parse(instance.updated_at) > before) continue
      try {
        logger.info({ instance: instance.uuid }, 'reclaiming a soft-deleted instance')
        await conductor.instanceUpdate(ctx, instance.uuid, { task_state: 'deleting' }, [null])
        await driver.destroy(guestRef(instance))
        await conductor.instanceUpdate(ctx, instance.uuid, {
          power_state: PowerState.NOSTATE,
          terminated_at: new Date().toISOString(),
        })
        await conductor.instanceDestroy(ctx, instance.uuid)
      } catch (error) {
        logger.warn({ err: error, instance: instance.uuid }, 'could not reclaim the soft-deleted instance')
      }
    }
  }

  /** The guest's console log, its last `tailLength` lines when given (0: nothing). */
  async getConsoleOutput(ctx: RequestContext, uuid: string, tailLength?: number): Promise<string> {
    const instance = await this.#d.conductor.instanceGet(ctx, uuid)
    const output = await this.#d.driver.getConsoleOutput(guestRef(instance)).catch((error: unknown) => {
      if (error instanceof GuestNotFound) throw new ConsoleNotAvailable({ instanceUuid: uuid })
      throw error
    })
    // Nova's _tail_log: the last `tailLength` pieces of the log split at newlines (a final newline counts).
    if (tailLength === undefined) return output
    if (tailLength === 0) return ''
    return output.split('\n').slice(-tailLength).join('\n')
  }
}
