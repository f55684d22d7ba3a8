import type { RequestContext } from '../../common/context.js'
import { RpcClient, type MessageBus, type RpcVersionHistory } from '../../bus/index.js'
import type { ComputeNodeFields, ComputeNodeRecord } from '../../db/index.js'
import type { ServiceIdentity, ServiceRegistry } from '../../service/service-registry.js'

export type { ComputeNodeFields } from '../../db/index.js'

/** A compute node row as it crosses the bus (Nova's ComputeNode fields; times as ISO strings). */
export type ComputeNodeView = Omit<ComputeNodeRecord, 'created_at' | 'updated_at'> & {
  readonly created_at: string | null
  readonly updated_at: string | null
  /** The node's nova-compute service is disabled (its provider must carry COMPUTE_STATUS_DISABLED). */
  readonly service_disabled: boolean
}

export const CONDUCTOR_TOPIC = 'conductor'

/** Every change to the conductor's RPC API, oldest first; the last entry is the version the server serves. */
export const CONDUCTOR_RPC_HISTORY: RpcVersionHistory = [
  {
    version: '1.0',
    change: 'service_register and service_heartbeat: the servicegroup proxy for nova-compute',
  },
  {
    version: '1.1',
    change:
      'compute_node_update(host, nodename, fields, defaults): the resource tracker creates or updates its compute node',
  },
]
export const CONDUCTOR_RPC_VERSION = '1.1'

export interface ConductorClientOptions {
  readonly bus: MessageBus
  readonly timeoutMs: number
  /** Highest version the oldest conductor understands (an upgrade pin); undefined = no cap. */
  readonly versionCap?: string
}

/**
 * The conductor's RPC stub: the only way nova-compute reaches the database. It is also a ServiceRegistry,
 * so a compute service registers and heartbeats through it exactly like a database-backed service would.
 */
export class ConductorClient implements ServiceRegistry {
  readonly #rpc: RpcClient

  constructor(options: ConductorClientOptions) {
    this.#rpc = new RpcClient({
      bus: options.bus,
      topic: CONDUCTOR_TOPIC,
      version: '1.0',
      timeoutMs: options.timeoutMs,
      ...(options.versionCap === undefined ? {} : { versionCap: options.versionCap }),
    })
  }

  async register(ctx: RequestContext, identity: ServiceIdentity): Promise<{ readonly id: number }> {
    return await this.#rpc.call<{ id: number }>(ctx, 'service_register', { identity: { ...identity } })
  }

  async heartbeat(ctx: RequestContext, id: number): Promise<void> {
    await this.#rpc.call(ctx, 'service_heartbeat', { service_id: id })
  }

  /**
   * Creates the compute node (host, nodename) with a uuid made once and kept, or updates it with `fields`;
   * `defaults` apply only to a new row or NULL columns (initial allocation ratios). Returns the row after, with
   * whether the host's nova-compute service is disabled. Needs a 1.1 conductor.
   */
  async computeNodeUpdate(
    ctx: RequestContext,
    host: string,
    nodename: string,
    fields: ComputeNodeFields,
    defaults: ComputeNodeFields = {},
  ): Promise<ComputeNodeView> {
    return await this.#rpc.call<ComputeNodeView>(
      ctx,
      'compute_node_update',
      { host, nodename, fields, defaults },
      { version: '1.1' },
    )
  }
}
