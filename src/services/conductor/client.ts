import type { RequestContext } from '../../common/context.js'
import { RpcClient, type MessageBus, type RpcVersionHistory } from '../../bus/index.js'
import type { ServiceIdentity, ServiceRegistry } from '../../service/service-registry.js'

export const CONDUCTOR_TOPIC = 'conductor'

/** Every change to the conductor's RPC API, oldest first; the last entry is the version the server serves. */
export const CONDUCTOR_RPC_HISTORY: RpcVersionHistory = [
  {
    version: '1.0',
    change: 'service_register and service_heartbeat: the servicegroup proxy for nova-compute',
  },
]
export const CONDUCTOR_RPC_VERSION = '1.0'

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
}
