import { adminContext, runWithContext, type RequestContext } from '../common/context.js'
import type { Logger } from '../common/logger.js'
import type { MessageBus } from '../bus/index.js'
import { RpcServer, type RpcEndpoints } from '../bus/index.js'
import { PeriodicRunner, type PeriodicTask } from './periodic.js'
import type { Service } from './service.js'
import type { ServiceIdentity, ServiceRegistry } from './service-registry.js'

export interface RpcServiceOptions {
  readonly identity: ServiceIdentity & { readonly topic: string }
  /** The RPC API version this server implements, `X.Y`. */
  readonly rpcVersion: string
  readonly endpoints: RpcEndpoints
  readonly bus: MessageBus
  readonly registry: ServiceRegistry
  /** `[DEFAULT] report_interval`, seconds between heartbeats. */
  readonly reportIntervalS: number
  readonly periodicTasks?: readonly PeriodicTask[]
  readonly logger: Logger
  /** Runs after registration and before the RPC server consumes (Nova's `init_host`/`pre_start_hook`). */
  readonly beforeServing?: (ctx: RequestContext) => Promise<void>
  /** Runs when stopping, after the RPC server drained (Nova's `cleanup_host`). */
  readonly afterStopping?: () => Promise<void>
}

/**
 * A daemon that serves an RPC topic (nova-conductor, nova-scheduler, nova-compute): registers in the
 * `services` table, consumes `topic`, `topic.host` and the topic's fanout, heartbeats every report_interval
 * and runs its periodic tasks. On stop it first stops heartbeating work intake, then drains in-flight RPC.
 */
export function createRpcService(options: RpcServiceOptions): Service {
  const { identity, logger } = options
  const server = new RpcServer({
    bus: options.bus,
    topic: identity.topic,
    server: identity.host,
    version: options.rpcVersion,
    endpoints: options.endpoints,
    logger,
  })
  const heartbeatTask: PeriodicTask = {
    name: 'report_state',
    spacingS: options.reportIntervalS,
    run: async (ctx) => {
      if (serviceId === undefined) return
      await options.registry.heartbeat(ctx, serviceId)
    },
  }
  const periodic = new PeriodicRunner([heartbeatTask, ...(options.periodicTasks ?? [])], logger)
  let serviceId: number | undefined
  let started = false

  return {
    binary: identity.binary,
    async start() {
      const ctx = adminContext()
      await runWithContext(ctx, async () => {
        serviceId = (await options.registry.register(ctx, identity)).id
        await options.beforeServing?.(ctx)
        await server.start()
        periodic.start()
        started = true
        logger.info({ topic: identity.topic, service_id: serviceId }, 'service started')
      })
    },
    async stop(drainMs) {
      if (!started) return
      started = false
      await periodic.stop()
      await server.stop(drainMs)
      await options.afterStopping?.()
      logger.info({ topic: identity.topic }, 'service stopped')
    },
  }
}
