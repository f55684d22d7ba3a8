import type { RpcEndpoints } from '../../bus/index.js'
import type { RequestContext } from '../../common/context.js'
import { Invalid } from '../../common/errors/index.js'
import type { Logger } from '../../common/logger.js'
import type { ConductorClient } from '../conductor/client.js'
import type { DiagnosticsAnswer, ExternalEvent, InstanceRef } from './client.js'
import { supportsHostUptime, supportsInstanceDiagnostics, type HypervisorDriver } from './driver/driver.js'
import { GuestNotFound } from './driver/errors.js'
import { PowerState, powerStateName } from './driver/power-state.js'
import { guestRef } from './manager.js'

export interface SupportOpsDeps {
  readonly host: string
  readonly driver: HypervisorDriver
  readonly conductor: ConductorClient
  readonly logger: Logger
}

const refOf = (args: Record<string, unknown>): InstanceRef => {
  if (typeof args.instance_uuid !== 'string' || typeof args.instance_id !== 'number')
    throw new Invalid('needs an instance_uuid and an instance_id')
  return { uuid: args.instance_uuid, id: args.instance_id }
}

/**
 * nova-compute's support methods of RPC 1.4: diagnostics (legacy and standard; only of a RUNNING guest, else the
 * power state is answered and the API says 409), the host's uptime, and external events from other services
 * (network and volume events are acknowledged in the log; `power-update` moves vm_state and power_state as
 * Nova does for guests powered on or off outside Nova).
 */
export function supportEndpoints(deps: SupportOpsDeps): RpcEndpoints {
  const { driver, logger } = deps

  /** Nova's _get_power_state: NOSTATE when the hypervisor has no such guest. */
  const powerState = async (ref: InstanceRef): Promise<number> => {
    try {
      return (await driver.getInfo(guestRef(ref))).state
    } catch (error) {
      if (error instanceof GuestNotFound) return PowerState.NOSTATE
      throw error
    }
  }

  const diagnostics = async (
    args: Record<string, unknown>,
    standard: boolean,
  ): Promise<DiagnosticsAnswer> => {
    const ref = refOf(args)
    const state = await powerState(ref)
    if (state !== PowerState.RUNNING) return { state: powerStateName(state) }
    if (!standard) return { state: 'running', diagnostics: await driver.getDiagnostics(guestRef(ref)) }
    if (!supportsInstanceDiagnostics(driver)) return { state: 'running', notImplemented: true }
    const d = await driver.getInstanceDiagnostics(guestRef(ref))
    return { state: 'running', diagnostics: d as unknown as Record<string, unknown> }
  }

  /** Nova's power-update handling: POWER_ON → active/running, POWER_OFF → stopped/shutdown, unless a task runs. */
  const powerUpdate = async (ctx: RequestContext, uuid: string, tag: string | undefined): Promise<void> => {
    const instance = await deps.conductor.instanceGet(ctx, uuid)
    if (instance.task_state !== null) {
      logger.info(
        { instance: uuid, task_state: instance.task_state },
        'power-update ignored: a task is pending',
      )
      return
    }
    const target =
      tag === 'POWER_ON'
        ? { vm_state: 'active', power_state: PowerState.RUNNING }
        : tag === 'POWER_OFF'
          ? { vm_state: 'stopped', power_state: PowerState.SHUTDOWN }
          : undefined
    if (target === undefined) {
      logger.warn({ instance: uuid, tag }, 'power-update with an unknown tag ignored')
      return
    }
    if (instance.power_state === target.power_state) return
    await deps.conductor.instanceUpdate(ctx, uuid, target, [null])
  }

  return {
    get_diagnostics: async (_ctx, args) => await diagnostics(args, false),
    get_instance_diagnostics: async (_ctx, args) => await diagnostics(args, true),
    get_host_uptime: async () => (supportsHostUptime(driver) ? await driver.getHostUptime() : null),
    external_instance_event: async (ctx, args) => {
      const events = (Array.isArray(args.events) ? args.events : []) as ExternalEvent[]
      for (const event of events) {
        logger.info(
          {
            instance: event.server_uuid,
            event: event.name,
            tag: event.tag,
            status: event.status,
            host: deps.host,
          },
          `Received event ${event.name}${event.tag === undefined ? '' : `-${event.tag}`}`,
        )
        try {
          if (event.name === 'power-update') await powerUpdate(ctx, event.server_uuid, event.tag)
        } catch (error) {
          logger.warn({ err: error, instance: event.server_uuid }, `handling event ${event.name} failed`)
        }
      }
      return null
    },
  }
}
