import type { RequestContext } from '../common/context.js'

/** What a service records about itself in the `services` table (os-services). */
export interface ServiceIdentity {
  readonly host: string
  readonly binary: string
  /** RPC topic it consumes, or undefined for HTTP-only services (nova-osapi_compute). */
  readonly topic: string | undefined
  /** Service version (Nova's SERVICE_VERSION counter): lets peers compute RPC version caps. */
  readonly version: number
}

/**
 * How a service registers itself and reports that it is alive. Services with database access write the
 * `services` table directly (DatabaseServiceRegistry); nova-compute has no database access and goes
 * through the conductor (services/conductor/client.ts), as Nova's servicegroup does via object indirection.
 */
export interface ServiceRegistry {
  /** Creates the service record, or finds the live one for (host, binary) and updates its version/topic. */
  register(ctx: RequestContext, identity: ServiceIdentity): Promise<{ readonly id: number }>
  /** Records one heartbeat: updated_at/last_seen_up = now, report_count + 1. Rejects if the record is gone. */
  heartbeat(ctx: RequestContext, id: number): Promise<void>
}
