import type { RequestContext } from '../common/context.js'
import type { Logger } from '../common/logger.js'
import { MessagingTimeout } from '../common/errors/index.js'
import type { ServiceIdentity, ServiceRegistry } from './service-registry.js'

/**
 * A registry whose `register` waits for the other side to come up, as nova-compute waits for nova-conductor
 * at start: a registration that times out is retried (logging each wait) until it succeeds or `signal` aborts.
 * Heartbeats are not retried: a missed one is simply the next one's job.
 */
export function patientRegistry(
  inner: ServiceRegistry,
  logger: Logger,
  signal: AbortSignal,
): ServiceRegistry {
  return {
    async register(ctx: RequestContext, identity: ServiceIdentity) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await inner.register(ctx, identity)
        } catch (error) {
          if (!(error instanceof MessagingTimeout) || signal.aborted) throw error
          logger.warn({ attempt }, `registering ${identity.binary} timed out; waiting for nova-conductor`)
        }
      }
    },
    heartbeat: (ctx, id) => inner.heartbeat(ctx, id),
  }
}
