import { randomUUID } from 'node:crypto'
import type { MessageBus } from '../../bus/index.js'
import { adminContext, contextToWire } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import { REVOCATION_TOPIC } from './client.js'
import type { RevocationCache } from './tokens/revocation-cache.js'

/**
 * Announces every revocation on the bus, so that every service's TokenVerifier reloads at once. A lost
 * announcement is logged; the event itself is already stored, so verifiers see it on their next reload.
 */
export function announceRevocations(cache: RevocationCache, bus: MessageBus, logger: Logger): void {
  cache.onRevoked(async (event) => {
    await bus
      .publishNotification(REVOCATION_TOPIC, {
        message_id: randomUUID(),
        publisher_id: 'nova-identity',
        event_type: 'identity.revocation',
        priority: 'INFO',
        timestamp: new Date().toISOString(),
        payload: {
          user_id: event.userId ?? null,
          project_id: event.projectId ?? null,
          issued_before: event.issuedBefore.toISOString(),
        },
        context: contextToWire(adminContext()),
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'announcing a revocation failed'))
  })
}
