import { adminContext, currentContext, type RequestContext } from '../../common/context.js'
import { RpcClient, type MessageBus, type RpcVersionHistory } from '../../bus/index.js'
import type { RequestSpec } from './host-state.js'
import type { InstanceSelection } from './selection.js'

export type { InstanceSelection, Selection, AllocationRequest } from './selection.js'
export type { InstanceGroupSpec, RequestSpec } from './host-state.js'

export const SCHEDULER_TOPIC = 'scheduler'

/** Every change to the scheduler's RPC API, oldest first. */
export const SCHEDULER_RPC_HISTORY: RpcVersionHistory = [
  { version: '1.0', change: 'initial: the scheduler registers and serves its topic' },
  { version: '1.1', change: 'select_destinations' },
]
export const SCHEDULER_RPC_VERSION = '1.1'

export interface SchedulerClientOptions {
  readonly bus: MessageBus
  /** `[DEFAULT] long_rpc_timeout` in milliseconds: placing many instances can take a while (as in Nova). */
  readonly timeoutMs: number
  /** Highest version the oldest scheduler understands (an upgrade pin); undefined = no cap. */
  readonly versionCap?: string
}

/** nova-scheduler's RPC stub (Nova's SchedulerQueryClient / scheduler rpcapi). */
export class SchedulerClient {
  readonly #rpc: RpcClient

  constructor(options: SchedulerClientOptions) {
    this.#rpc = new RpcClient({
      bus: options.bus,
      topic: SCHEDULER_TOPIC,
      version: '1.0',
      timeoutMs: options.timeoutMs,
      ...(options.versionCap === undefined ? {} : { versionCap: options.versionCap }),
    })
  }

  /**
   * Picks (and claims in placement) a host for each instance; rejects with NoValidHost, whose message says
   * which step removed how many hosts. `ctx` undefined: the current request's context, else an admin one.
   * The spec travels as JSON: the instance group's hosts chosen here do not come back into `spec`.
   */
  async selectDestinations(
    ctx: RequestContext | undefined,
    spec: RequestSpec,
    instanceUuids: readonly string[],
    returnAlternates: boolean,
  ): Promise<InstanceSelection[]> {
    return await this.#rpc.call<InstanceSelection[]>(
      ctx ?? currentContext() ?? adminContext(),
      'select_destinations',
      { spec, instance_uuids: [...instanceUuids], return_alternates: returnAlternates },
      { version: '1.1' },
    )
  }
}
