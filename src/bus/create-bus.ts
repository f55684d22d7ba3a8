import type { Logger } from '../common/logger.js'
import { RabbitBus } from './amqp/rabbit-bus.js'
import type { MessageBus } from './bus.js'
import { InProcessBus } from './in-process/memory-bus.js'
import { parseTransportUrl } from './transport-url.js'

export interface CreateBusOptions {
  readonly logger: Logger
  /** `[DEFAULT] control_exchange`, default `nova`. */
  readonly controlExchange?: string
  /** `[oslo_messaging_rabbit]` options. */
  readonly rabbit?: {
    readonly retryIntervalS?: number
    readonly retryBackoffS?: number
    readonly intervalMaxS?: number
    readonly heartbeatTimeoutS?: number
    readonly queueExpiresMs?: number
  }
}

/**
 * The bus named by `[DEFAULT] transport_url`: `memory://` gives a new in-process hub (share it among the services
 * of one process), `rabbit://…` connects to RabbitMQ (rejecting if no broker of the list answers).
 */
export async function createBus(transportUrl: string, options: CreateBusOptions): Promise<MessageBus> {
  const url = parseTransportUrl(transportUrl)
  if (url.transport === 'memory') return new InProcessBus()
  return await RabbitBus.connect({
    hosts: url.hosts,
    vhost: url.vhost,
    logger: options.logger,
    controlExchange: options.controlExchange ?? 'nova',
    ...options.rabbit,
  })
}
