import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib'
import { TransportClosed } from '../../common/errors/index.js'
import type { Logger } from '../../common/logger.js'
import type { BrokerHost } from '../transport-url.js'

export interface RabbitConnectionOptions {
  readonly hosts: readonly BrokerHost[]
  readonly vhost: string
  readonly logger: Logger
  /** oslo_messaging_rabbit: first wait before reconnecting, added per attempt, and the cap (seconds). */
  readonly retryIntervalS: number
  readonly retryBackoffS: number
  readonly intervalMaxS: number
  /** Seconds without broker traffic before the connection counts as dead (0 disables heartbeats). */
  readonly heartbeatTimeoutS: number
  /** Called on every (re)connection, before anyone else uses the channel: declare topology, consume. */
  readonly onConnected: (channel: ConfirmChannel) => Promise<void>
  /** Called once per lost connection, before reconnecting. */
  readonly onLost: () => void
}

/**
 * One AMQP connection with one confirm channel, kept alive: when the broker drops it (restart, network,
 * `rabbitmqctl close_connection`), it reconnects with backoff over the broker list and runs `onConnected`
 * again, so queues and consumers come back. Nagle is off (`noDelay`): with it, every RPC costs ~44 ms.
 */
export class RabbitConnection {
  readonly #options: RabbitConnectionOptions
  #model: ChannelModel | undefined
  #channel: ConfirmChannel | undefined
  #waiters: { resolve: (c: ConfirmChannel) => void; reject: (e: Error) => void }[] = []
  #closed = false
  #attempt = 0
  #reconnectTimer: NodeJS.Timeout | undefined

  constructor(options: RabbitConnectionOptions) {
    this.#options = options
  }

  /** Connects once; rejects if the first broker list pass fails, so a misconfigured daemon stops at start. */
  async open(): Promise<void> {
    let lastError: unknown
    for (let i = 0; i < this.#options.hosts.length; i++) {
      try {
        await this.#connect(this.#options.hosts[(this.#attempt + i) % this.#options.hosts.length]!)
        return
      } catch (error) {
        lastError = error
      }
    }
    throw new TransportClosed({ reason: `cannot reach RabbitMQ: ${(lastError as Error).message}` })
  }

  /** The channel, waiting for a reconnection in progress; rejects once the connection is closed for good. */
  async channel(): Promise<ConfirmChannel> {
    if (this.#closed) throw new TransportClosed({ reason: 'the bus was closed' })
    if (this.#channel !== undefined) return this.#channel
    return await new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  get connected(): boolean {
    return this.#channel !== undefined
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    for (const w of this.#waiters.splice(0)) w.reject(new TransportClosed({ reason: 'the bus was closed' }))
    const model = this.#model
    this.#model = undefined
    this.#channel = undefined
    await model?.close().catch(() => undefined)
  }

  async #connect(host: BrokerHost): Promise<void> {
    const { logger } = this.#options
    const model = await connect(
      {
        protocol: 'amqp',
        hostname: host.hostname,
        port: host.port,
        username: host.username,
        password: host.password,
        vhost: this.#options.vhost,
        heartbeat: Math.ceil(this.#options.heartbeatTimeoutS / 2),
      },
      { noDelay: true, clientProperties: { connection_name: `nova-ts pid ${process.pid}` } },
    )
    try {
      const channel = await model.createConfirmChannel()
      channel.on('error', (error: Error) => logger.warn({ err: error }, 'AMQP channel error'))
      model.on('error', (error: Error) => logger.warn({ err: error }, 'AMQP connection error'))
      model.on('close', () => this.#lost(model))
      channel.on('close', () => {
        // A channel closed by the broker (e.g. a failed declaration) without the connection: start over.
        if (this.#model === model) void model.close().catch(() => undefined)
      })
      await this.#options.onConnected(channel)
      this.#model = model
      this.#channel = channel
      this.#attempt = 0
      logger.info(
        { host: host.hostname, port: host.port, vhost: this.#options.vhost },
        'connected to RabbitMQ',
      )
      for (const w of this.#waiters.splice(0)) w.resolve(channel)
    } catch (error) {
      await model.close().catch(() => undefined)
      throw error
    }
  }

  #lost(model: ChannelModel): void {
    if (this.#closed || this.#model !== model) return
    this.#model = undefined
    this.#channel = undefined
    this.#options.logger.warn('lost the RabbitMQ connection; reconnecting')
    this.#options.onLost()
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    if (this.#closed) return
    const { retryIntervalS, retryBackoffS, intervalMaxS, hosts, logger } = this.#options
    const delayS = Math.min(retryIntervalS + this.#attempt * retryBackoffS, intervalMaxS)
    const host = hosts[this.#attempt % hosts.length]!
    this.#attempt++
    this.#reconnectTimer = setTimeout(() => {
      this.#connect(host).catch((error: unknown) => {
        logger.warn({ err: error, host: host.hostname, attempt: this.#attempt }, 'RabbitMQ reconnect failed')
        this.#scheduleReconnect()
      })
    }, delayS * 1000)
  }
}
