import { randomBytes } from 'node:crypto'
import { silentLogger } from '../../src/common/logger.js'
import { createBus, type MessageBus } from '../../src/bus/index.js'
import type { Backend } from './backends.js'

/** A name no other test run uses: for exchanges, topics and pools. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`
}

/**
 * A bus on the backend, isolated from other tests: its own control exchange (so its own queues) on RabbitMQ,
 * whose unused queues the broker removes after a minute; a fresh hub on memory.
 */
export async function openTestBus(backend: Backend, exchange = uniqueName('t')): Promise<MessageBus> {
  return await createBus(backend.url, {
    logger: silentLogger(),
    controlExchange: exchange,
    rabbit: { retryIntervalS: 0.2, retryBackoffS: 0.2, intervalMaxS: 1, queueExpiresMs: 60_000 },
  })
}
