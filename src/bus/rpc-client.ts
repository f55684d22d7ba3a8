import { contextToWire, type RequestContext } from '../common/context.js'
import { UnsupportedRpcVersion } from '../common/errors/index.js'
import type { MessageBus } from './bus.js'
import { compareRpcVersions, parseRpcVersion } from './rpc-version.js'

export interface RpcClientOptions {
  readonly bus: MessageBus
  readonly topic: string
  /** Version sent when a call names none, `X.Y`. */
  readonly version: string
  /** Highest version the oldest server understands (rolling upgrades); undefined = no cap. */
  readonly versionCap?: string
  /** `[DEFAULT] rpc_response_timeout` in milliseconds. */
  readonly timeoutMs: number
  /** Server every message goes to (`topic.server`), as oslo's `prepare(server=…)`. */
  readonly server?: string
  readonly namespace?: string
}

export interface CallOptions {
  readonly server?: string
  readonly version?: string
  readonly timeoutMs?: number
}

export interface CastOptions {
  readonly server?: string
  readonly version?: string
  /** To every server of the topic instead of one. */
  readonly fanout?: boolean
}

/**
 * The caller's side of a versioned RPC API (Nova's `rpcapi.py` client). Each service's `client.ts` wraps one,
 * names the version each method needs, and downgrades arguments when `canSendVersion` says the peers are older.
 */
export class RpcClient {
  readonly #options: RpcClientOptions

  constructor(options: RpcClientOptions) {
    parseRpcVersion(options.version)
    if (options.versionCap !== undefined) parseRpcVersion(options.versionCap)
    this.#options = options
  }

  /** A client with some options fixed, like oslo's `prepare()`. */
  prepare(options: { server?: string; version?: string; timeoutMs?: number }): RpcClient {
    return new RpcClient({ ...this.#options, ...options })
  }

  /** True when `version` is within the cap (always, without a cap). */
  canSendVersion(version: string): boolean {
    const cap = this.#options.versionCap
    return cap === undefined || compareRpcVersions(version, cap) <= 0
  }

  /** Request/reply; rejects with the remote error rebuilt, MessagingTimeout, or UnsupportedRpcVersion over the cap. */
  async call<T>(
    ctx: RequestContext,
    method: string,
    args: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<T> {
    const version = this.#checkVersion(options.version)
    const server = options.server ?? this.#options.server
    return (await this.#options.bus.call(
      { topic: this.#options.topic, ...(server === undefined ? {} : { server }) },
      this.#envelope(ctx, method, args, version),
      options.timeoutMs ?? this.#options.timeoutMs,
    )) as T
  }

  /** Fire and forget, to one server of the topic, to `topic.server`, or to all of them (`fanout`). */
  async cast(
    ctx: RequestContext,
    method: string,
    args: Record<string, unknown>,
    options: CastOptions = {},
  ): Promise<void> {
    const version = this.#checkVersion(options.version)
    const envelope = this.#envelope(ctx, method, args, version)
    if (options.fanout === true) {
      await this.#options.bus.fanout(this.#options.topic, envelope)
      return
    }
    const server = options.server ?? this.#options.server
    await this.#options.bus.cast(
      { topic: this.#options.topic, ...(server === undefined ? {} : { server }) },
      envelope,
    )
  }

  #checkVersion(requested: string | undefined): string {
    const version = requested ?? this.#options.version
    if (!this.canSendVersion(version)) {
      throw new UnsupportedRpcVersion({
        topic: this.#options.topic,
        version,
        supported: `up to ${this.#options.versionCap}`,
      })
    }
    return version
  }

  #envelope(ctx: RequestContext, method: string, args: Record<string, unknown>, version: string) {
    return {
      method,
      args,
      version,
      context: contextToWire(ctx),
      ...(this.#options.namespace === undefined ? {} : { namespace: this.#options.namespace }),
    }
  }
}
