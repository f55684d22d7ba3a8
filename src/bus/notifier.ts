import { randomUUID } from 'node:crypto'
import { contextToWire, type RequestContext } from '../common/context.js'
import type { MessageBus, NotificationEnvelope } from './bus.js'

/** A versioned payload: Nova's `nova_object` with name, version and fields. */
export interface NotificationPayload {
  readonly name: string
  readonly version: string
  readonly data: Readonly<Record<string, unknown>>
}

export interface NotifierOptions {
  readonly bus: MessageBus
  /** `<binary>:<host>`, e.g. `nova-compute:host1`. */
  readonly publisherId: string
  /** `[notifications] versioned_notifications_topics`. */
  readonly topics: readonly string[]
}

/**
 * Emits Nova's versioned notifications (`instance.create.start`, …) on `<topic>.info` / `<topic>.error`.
 * A notification that cannot be sent is the caller's to log, never a reason to fail the operation.
 */
export class Notifier {
  readonly #options: NotifierOptions

  constructor(options: NotifierOptions) {
    this.#options = options
  }

  async info(ctx: RequestContext, eventType: string, payload: NotificationPayload): Promise<void> {
    await this.#emit(ctx, 'INFO', eventType, payload)
  }

  async error(ctx: RequestContext, eventType: string, payload: NotificationPayload): Promise<void> {
    await this.#emit(ctx, 'ERROR', eventType, payload)
  }

  async #emit(
    ctx: RequestContext,
    priority: 'INFO' | 'ERROR',
    eventType: string,
    payload: NotificationPayload,
  ): Promise<void> {
    const notification: NotificationEnvelope = {
      message_id: randomUUID(),
      publisher_id: this.#options.publisherId,
      event_type: eventType,
      priority,
      timestamp: new Date().toISOString().replace('T', ' ').replace('Z', ''),
      payload: {
        'nova_object.name': payload.name,
        'nova_object.namespace': 'nova',
        'nova_object.version': payload.version,
        'nova_object.data': payload.data,
      },
      context: contextToWire({ ...ctx, authToken: undefined } as RequestContext),
    }
    const suffix = priority === 'INFO' ? 'info' : 'error'
    for (const topic of this.#options.topics)
      await this.#options.bus.publishNotification(`${topic}.${suffix}`, notification)
  }
}
