import { randomUUID } from 'node:crypto'
import type { ConfirmChannel, ConsumeMessage, Options } from 'amqplib'
import {
  errorFromWire,
  errorToWire,
  MessagingTimeout,
  TransportClosed,
  type WireError,
} from '../../common/errors/index.js'
import type { Logger } from '../../common/logger.js'
import {
  addressName,
  type Address,
  type MessageBus,
  type NotificationEnvelope,
  type NotificationHandler,
  type RequestEnvelope,
  type RequestHandler,
  type Subscription,
} from '../bus.js'
import { settleWithin } from '../in-process/memory-bus.js'
import { encodePayload } from '../serialize.js'
import type { BrokerHost } from '../transport-url.js'
import { RabbitConnection } from './rabbit-connection.js'

export interface RabbitBusOptions {
  readonly hosts: readonly BrokerHost[]
  readonly vhost: string
  readonly logger: Logger
  /** `[DEFAULT] control_exchange`: the topic exchange, and the prefix of every queue this bus declares. */
  readonly controlExchange: string
  readonly retryIntervalS?: number
  readonly retryBackoffS?: number
  readonly intervalMaxS?: number
  readonly heartbeatTimeoutS?: number
  /** Queues unused this long are removed by the broker (x-expires); for tests, so they leave nothing behind. */
  readonly queueExpiresMs?: number
}

type Reply = { readonly result: unknown } | { readonly error: WireError }

interface Consumer {
  /** Declares its queues and starts consuming on a fresh channel; returns the consumer tags. */
  readonly attach: (channel: ConfirmChannel) => Promise<string[]>
  tags: string[]
}

interface PendingCall {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  readonly timer: NodeJS.Timeout
}

/**
 * The RabbitMQ transport, with oslo.messaging's topology: a topic exchange `<control_exchange>`; per topic a
 * shared queue `<exchange>.<topic>` (servers compete for its messages) and per server `<exchange>.<topic>.<server>`;
 * a fanout exchange `<exchange>.<topic>_fanout` with one exclusive queue per server; one exclusive reply queue per
 * bus. Publishes are confirmed by the broker. After a lost connection everything is declared and consumed again.
 */
export class RabbitBus implements MessageBus {
  readonly transport = 'rabbit' as const
  readonly #options: RabbitBusOptions
  readonly #connection: RabbitConnection
  readonly #exchange: string
  readonly #replyQueue: string
  readonly #pending = new Map<string, PendingCall>()
  readonly #consumers = new Set<Consumer>()
  #closed = false

  private constructor(options: RabbitBusOptions) {
    this.#options = options
    this.#exchange = options.controlExchange
    this.#replyQueue = `${this.#exchange}.reply_${randomUUID()}`
    this.#connection = new RabbitConnection({
      hosts: options.hosts,
      vhost: options.vhost,
      logger: options.logger,
      retryIntervalS: options.retryIntervalS ?? 1,
      retryBackoffS: options.retryBackoffS ?? 2,
      intervalMaxS: options.intervalMaxS ?? 30,
      heartbeatTimeoutS: options.heartbeatTimeoutS ?? 60,
      onConnected: (channel) => this.#onConnected(channel),
      onLost: () => this.#onLost(),
    })
  }

  /** Connects (trying each broker once) and declares the exchange and the reply queue. */
  static async connect(options: RabbitBusOptions): Promise<RabbitBus> {
    const bus = new RabbitBus(options)
    await bus.#connection.open()
    return bus
  }

  async call(address: Address, envelope: RequestEnvelope, timeoutMs: number): Promise<unknown> {
    const body = Buffer.from(encodePayload(envelope, 'args'))
    const correlationId = randomUUID()
    const result = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId)
        reject(
          new MessagingTimeout({
            topic: address.topic,
            ...(address.server === undefined ? {} : { server: address.server }),
            method: envelope.method,
            timeoutMs,
          }),
        )
      }, timeoutMs)
      this.#pending.set(correlationId, { resolve, reject, timer })
    })
    this.#publish(this.#exchange, addressName(address), body, {
      correlationId,
      replyTo: this.#replyQueue,
      expiration: String(timeoutMs),
    }).catch((error: unknown) => this.#settleCall(correlationId, undefined, error as Error))
    return await result
  }

  async cast(address: Address, envelope: RequestEnvelope): Promise<void> {
    await this.#publish(
      this.#exchange,
      addressName(address),
      Buffer.from(encodePayload(envelope, 'args')),
      {},
    )
  }

  async fanout(topic: string, envelope: RequestEnvelope): Promise<void> {
    const exchange = this.#fanoutExchange(topic)
    const channel = await this.#connection.channel()
    await channel.assertExchange(exchange, 'fanout', { durable: false, autoDelete: true })
    await this.#publish(exchange, '', Buffer.from(encodePayload(envelope, 'args')), {})
  }

  async serve(address: Required<Address>, handler: RequestHandler): Promise<Subscription> {
    const inFlight = new Set<Promise<unknown>>()
    const onMessage = (channel: ConfirmChannel) => (msg: ConsumeMessage | null) => {
      if (msg === null) return
      const work = this.#handleRequest(channel, msg, handler)
      inFlight.add(work)
      void work.finally(() => inFlight.delete(work))
    }
    const shared = this.#queueName(address.topic)
    const direct = this.#queueName(addressName(address))
    const fanoutExchange = this.#fanoutExchange(address.topic)
    const fanoutQueue = `${fanoutExchange}_${randomUUID()}`
    const consumer = await this.#addConsumer(async (channel) => {
      const args = this.#queueArguments()
      await channel.assertQueue(shared, { durable: false, autoDelete: false, arguments: args })
      await channel.bindQueue(shared, this.#exchange, address.topic)
      await channel.assertQueue(direct, { durable: false, autoDelete: false, arguments: args })
      await channel.bindQueue(direct, this.#exchange, addressName(address))
      await channel.assertExchange(fanoutExchange, 'fanout', { durable: false, autoDelete: true })
      await channel.assertQueue(fanoutQueue, { exclusive: true, autoDelete: true, durable: false })
      await channel.bindQueue(fanoutQueue, fanoutExchange, '')
      const handle = onMessage(channel)
      const tags: string[] = []
      for (const queue of [shared, direct, fanoutQueue])
        tags.push((await channel.consume(queue, handle, { noAck: true })).consumerTag)
      return tags
    })
    return {
      stop: async (drainMs = 0) => {
        await this.#removeConsumer(consumer)
        await settleWithin([...inFlight], drainMs)
      },
    }
  }

  async publishNotification(topic: string, notification: NotificationEnvelope): Promise<void> {
    await this.#publish(this.#exchange, topic, Buffer.from(encodePayload(notification, 'notification')), {})
  }

  async listenNotifications(
    topics: readonly string[],
    pool: string | undefined,
    handler: NotificationHandler,
  ): Promise<Subscription> {
    const own = randomUUID()
    const consumer = await this.#addConsumer(async (channel) => {
      const tags: string[] = []
      for (const topic of topics) {
        // A pool shares one queue per topic; a listener without a pool gets its own copy of everything.
        const queue = this.#queueName(
          pool === undefined ? `${topic}.listener_${own}` : `${topic}.pool_${pool}`,
        )
        await channel.assertQueue(queue, {
          durable: false,
          exclusive: pool === undefined,
          autoDelete: pool === undefined,
          arguments: this.#queueArguments(),
        })
        await channel.bindQueue(queue, this.#exchange, topic)
        const consumed = await channel.consume(
          queue,
          (msg) => {
            if (msg === null) return
            void handler(JSON.parse(msg.content.toString()) as NotificationEnvelope).catch((error: unknown) =>
              this.#options.logger.error({ err: error, topic }, 'notification handler failed'),
            )
          },
          { noAck: true },
        )
        tags.push(consumed.consumerTag)
      }
      return tags
    })
    return { stop: async () => await this.#removeConsumer(consumer) }
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#failPending('the bus was closed')
    this.#consumers.clear()
    await this.#connection.close()
  }

  async #onConnected(channel: ConfirmChannel): Promise<void> {
    await channel.assertExchange(this.#exchange, 'topic', { durable: false, autoDelete: false })
    await channel.assertQueue(this.#replyQueue, { exclusive: true, autoDelete: true, durable: false })
    await channel.consume(this.#replyQueue, (msg) => this.#onReply(msg), { noAck: true })
    for (const consumer of this.#consumers) consumer.tags = await consumer.attach(channel)
  }

  #onLost(): void {
    // The reply queue died with the connection: no reply to a pending call can arrive any more.
    this.#failPending('the connection to RabbitMQ was lost while waiting for a reply')
  }

  #failPending(reason: string): void {
    for (const [id, call] of this.#pending) {
      clearTimeout(call.timer)
      this.#pending.delete(id)
      call.reject(new TransportClosed({ reason }))
    }
  }

  #onReply(msg: ConsumeMessage | null): void {
    if (msg === null) return
    const id = msg.properties.correlationId as string | undefined
    if (id === undefined) return
    const reply = JSON.parse(msg.content.toString()) as Reply
    if ('error' in reply) this.#settleCall(id, undefined, errorFromWire(reply.error))
    else this.#settleCall(id, reply.result, undefined)
  }

  #settleCall(id: string, result: unknown, error: Error | undefined): void {
    const call = this.#pending.get(id)
    if (call === undefined) return
    this.#pending.delete(id)
    clearTimeout(call.timer)
    if (error !== undefined) call.reject(error)
    else call.resolve(result)
  }

  async #handleRequest(channel: ConfirmChannel, msg: ConsumeMessage, handler: RequestHandler): Promise<void> {
    let reply: Reply
    try {
      reply = { result: (await handler(JSON.parse(msg.content.toString()) as RequestEnvelope)) ?? null }
    } catch (error) {
      reply = { error: errorToWire(error) }
    }
    const replyTo = msg.properties.replyTo as string | undefined
    if (replyTo === undefined) return
    let body: Buffer
    try {
      body = Buffer.from(encodePayload(reply, 'reply'))
    } catch (error) {
      body = Buffer.from(JSON.stringify({ error: errorToWire(error) }))
    }
    try {
      // Replies go on the channel the request came from; if that connection died, the caller's queue is gone too.
      channel.publish('', replyTo, body, {
        correlationId: msg.properties.correlationId as string,
        contentType: 'application/json',
      })
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'could not send an RPC reply')
    }
  }

  async #publish(
    exchange: string,
    routingKey: string,
    body: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    if (this.#closed) throw new TransportClosed({ reason: 'the bus was closed' })
    const channel = await this.#connection.channel()
    await new Promise<void>((resolve, reject) => {
      channel.publish(
        exchange,
        routingKey,
        body,
        { ...options, contentType: 'application/json' },
        (error: unknown) =>
          error === null || error === undefined
            ? resolve()
            : reject(new TransportClosed({ reason: `RabbitMQ refused the message: ${String(error)}` })),
      )
    })
  }

  async #addConsumer(attach: (channel: ConfirmChannel) => Promise<string[]>): Promise<Consumer> {
    const consumer: Consumer = { attach, tags: [] }
    const channel = await this.#connection.channel()
    consumer.tags = await attach(channel)
    this.#consumers.add(consumer)
    return consumer
  }

  async #removeConsumer(consumer: Consumer): Promise<void> {
    if (!this.#consumers.delete(consumer)) return
    if (!this.#connection.connected) return
    const channel = await this.#connection.channel()
    for (const tag of consumer.tags) await channel.cancel(tag).catch(() => undefined)
  }

  #queueName(name: string): string {
    return `${this.#exchange}.${name}`
  }

  #fanoutExchange(topic: string): string {
    return `${this.#exchange}.${topic}_fanout`
  }

  #queueArguments(): Record<string, unknown> | undefined {
    return this.#options.queueExpiresMs === undefined
      ? undefined
      : { 'x-expires': this.#options.queueExpiresMs }
  }
}
