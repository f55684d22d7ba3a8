import { contextFromWire, runWithContext, type RequestContext } from '../common/context.js'
import { NovaError, RpcMethodNotFound, UnsupportedRpcVersion } from '../common/errors/index.js'
import type { Logger } from '../common/logger.js'
import type { MessageBus, RequestEnvelope, Subscription } from './bus.js'
import { isCompatible, parseRpcVersion } from './rpc-version.js'

/** The methods one service serves: each takes the caller's context and the arguments, returns JSON-able data. */
export type RpcEndpoints = Readonly<
  Record<string, (ctx: RequestContext, args: Record<string, unknown>) => Promise<unknown>>
>

export interface RpcServerOptions {
  readonly bus: MessageBus
  readonly topic: string
  /** This host's name: the server also consumes `topic.server`. */
  readonly server: string
  /** The version this server implements, `X.Y`. */
  readonly version: string
  readonly endpoints: RpcEndpoints
  readonly logger: Logger
  readonly namespace?: string
}

/**
 * The serving side of a versioned RPC API (Nova's manager + oslo's dispatcher). A request for another major,
 * a newer minor or an unknown method is refused with a typed error the caller gets back. Handlers run inside
 * the caller's request context, so their log lines carry its request id.
 */
export class RpcServer {
  readonly #options: RpcServerOptions
  #subscription: Subscription | undefined

  constructor(options: RpcServerOptions) {
    parseRpcVersion(options.version)
    this.#options = options
  }

  async start(): Promise<void> {
    if (this.#subscription !== undefined) return
    const { bus, topic, server } = this.#options
    this.#subscription = await bus.serve({ topic, server }, (envelope) => this.#dispatch(envelope))
  }

  /** Stops consuming, then waits up to `drainMs` for the requests being handled (their replies still go out). */
  async stop(drainMs = 0): Promise<void> {
    const subscription = this.#subscription
    this.#subscription = undefined
    await subscription?.stop(drainMs)
  }

  async #dispatch(envelope: RequestEnvelope): Promise<unknown> {
    const { topic, version, endpoints, logger } = this.#options
    const ctx = contextFromWire(envelope.context)
    return await runWithContext(ctx, async () => {
      if (
        (envelope.namespace ?? undefined) !== this.#options.namespace ||
        !isCompatible(envelope.version, version)
      ) {
        throw new UnsupportedRpcVersion({ topic, version: envelope.version, supported: version })
      }
      const handler = Object.hasOwn(endpoints, envelope.method) ? endpoints[envelope.method] : undefined
      if (handler === undefined) throw new RpcMethodNotFound({ topic, method: envelope.method })
      try {
        return await handler(ctx, envelope.args as Record<string, unknown>)
      } catch (error) {
        if (!(error instanceof NovaError))
          logger.error({ err: error, method: envelope.method }, 'RPC handler failed unexpectedly')
        throw error
      }
    })
  }
}
