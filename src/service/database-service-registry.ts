import type { RequestContext } from '../common/context.js'
import type { Clock } from '../common/clock.js'
import type { ServicesRepository } from '../db/index.js'
import type { ServiceIdentity, ServiceRegistry } from './service-registry.js'

/** The registry of services that may touch the database: they write their own `services` row. */
export class DatabaseServiceRegistry implements ServiceRegistry {
  readonly #services: ServicesRepository
  readonly #clock: Clock

  constructor(services: ServicesRepository, clock: Clock) {
    this.#services = services
    this.#clock = clock
  }

  async register(_ctx: RequestContext, identity: ServiceIdentity): Promise<{ readonly id: number }> {
    return await registerService(this.#services, identity)
  }

  async heartbeat(_ctx: RequestContext, id: number): Promise<void> {
    await this.#services.heartbeat(id, this.#clock.now())
  }
}

/**
 * Find-or-create of a service row, shared by the direct registry and the conductor's proxy for computes.
 * Two processes registering the same (host, binary) at once both end up with the one row.
 */
export async function registerService(
  services: ServicesRepository,
  identity: ServiceIdentity,
): Promise<{ readonly id: number }> {
  const existing = await services.getByHostAndBinary(identity.host, identity.binary)
  if (existing !== undefined) {
    await services.setVersion(existing.id, identity.version, identity.topic)
    return { id: existing.id }
  }
  try {
    const created = await services.create(identity)
    return { id: created.id }
  } catch (error) {
    const raced = await services.getByHostAndBinary(identity.host, identity.binary)
    if (raced !== undefined) return { id: raced.id }
    throw error
  }
}
