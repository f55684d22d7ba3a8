import type { WireContext } from '../common/context.js'

/** Where a message goes: every server of `topic` (one of them takes it), or the one named `server`. */
export interface Address {
  readonly topic: string
  readonly server?: string
}

/**
 * An RPC request as it crosses the bus (JSON on every transport):
 *   { method, args, version: 'X.Y', context: WireContext, namespace? }
 */
export interface RequestEnvelope {
  readonly method: string
  readonly args: Readonly<Record<string, unknown>>
  readonly version: string
  readonly context: WireContext
  readonly namespace?: string
}

/** A versioned notification (Nova's `nova_object` payload shape). */
export interface NotificationEnvelope {
  readonly message_id: string
  readonly publisher_id: string
  readonly event_type: string
  readonly priority: 'INFO' | 'WARN' | 'ERROR'
  readonly timestamp: string
  readonly payload: Readonly<Record<string, unknown>>
  readonly context?: WireContext
}

/** Handles one request; its result (JSON) is the reply, a thrown error is rebuilt on the caller. */
export type RequestHandler = (envelope: RequestEnvelope) => Promise<unknown>
export type NotificationHandler = (notification: NotificationEnvelope) => Promise<void>

export interface Subscription {
  /**
   * Stops taking new messages, waits up to `drainMs` for the handlers in flight (their replies still go out),
   * then releases the queues. Idempotent.
   */
  stop(drainMs?: number): Promise<void>
}

/**
 * The message bus port, with oslo.messaging semantics. Transports: InProcessBus (`memory://`) and
 * RabbitBus (`rabbit://`). Payloads must survive a JSON round trip on both; the in-process bus checks.
 */
export interface MessageBus {
  readonly transport: 'memory' | 'rabbit'
  /**
   * Sends a request to one server of the address and waits for its reply. Rejects with the handler's error
   * rebuilt as the same class, MessagingTimeout after `timeoutMs` (nobody served, or too slow), or
   * TransportClosed if the bus is closed or the connection dropped while waiting.
   */
  call(address: Address, envelope: RequestEnvelope, timeoutMs: number): Promise<unknown>
  /** Fire and forget to one server of the address; resolves once the transport accepted the message. */
  cast(address: Address, envelope: RequestEnvelope): Promise<void>
  /** Fire and forget to every server of the topic. */
  fanout(topic: string, envelope: RequestEnvelope): Promise<void>
  /**
   * Serves `topic` (sharing its messages with the other servers of the topic), `topic.server` and the
   * topic's fanout. Resolves once consuming.
   */
  serve(address: Required<Address>, handler: RequestHandler): Promise<Subscription>
  /** Publishes a notification on a topic such as `versioned_notifications.info`. */
  publishNotification(topic: string, notification: NotificationEnvelope): Promise<void>
  /**
   * Listens to notification topics. Listeners of the same `pool` share the messages (one of them gets each);
   * a listener without a pool gets every message.
   */
  listenNotifications(
    topics: readonly string[],
    pool: string | undefined,
    handler: NotificationHandler,
  ): Promise<Subscription>
  /** Stops every subscription, fails pending calls with TransportClosed, and releases the transport. Idempotent. */
  close(): Promise<void>
}

export function addressName(address: Address): string {
  return address.server === undefined ? address.topic : `${address.topic}.${address.server}`
}
