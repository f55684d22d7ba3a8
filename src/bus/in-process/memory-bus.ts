import { randomUUID } from 'node:crypto'
import {
  errorFromWire,
  errorToWire,
  MessagingTimeout,
  TransportClosed,
  type WireError,
} from '../../common/errors/index.js'
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
import { encodePayload } from '../serialize.js'

interface Server {
  readonly name: string
  readonly handler: RequestHandler
  readonly inFlight: Set<Promise<unknown>>
  active: boolean
}

interface Listener {
  readonly id: string
  readonly pool: string | undefined
  readonly handler: NotificationHandler
  active: boolean
}

type Reply = { readonly result: unknown } | { readonly error: WireError }

/**
 * The in-process transport (`memory://`): one instance is one isolated hub, shared by the services of one
 * process. Every message and reply is serialised as on a real broker, delivery is asynchronous, servers of a
 * topic take turns, and messages for an address nobody serves yet wait for a server (as in a broker queue).
 */
export class InProcessBus implements MessageBus {
  readonly transport = 'memory' as const
  readonly #servers = new Map<string, Server[]>()
  readonly #turn = new Map<string, number>()
  readonly #waiting = new Map<string, string[]>()
  readonly #listeners = new Map<string, Listener[]>()
  readonly #pendingCalls = new Set<(error: Error) => void>()
  readonly #inFlight = new Set<Promise<unknown>>()
  #closed = false

  async call(address: Address, envelope: RequestEnvelope, timeoutMs: number): Promise<unknown> {
    this.#assertOpen()
    const body = encodePayload(envelope, 'args')
    return await new Promise<unknown>((resolve, reject) => {
      const fail = (error: Error): void => {
        clearTimeout(timer)
        this.#pendingCalls.delete(fail)
        reject(error)
      }
      const timer = setTimeout(() => {
        fail(
          new MessagingTimeout({
            topic: address.topic,
            ...(address.server === undefined ? {} : { server: address.server }),
            method: envelope.method,
            timeoutMs,
          }),
        )
      }, timeoutMs)
      this.#pendingCalls.add(fail)
      const onReply = (reply: string): void => {
        if (!this.#pendingCalls.has(fail)) return
        clearTimeout(timer)
        this.#pendingCalls.delete(fail)
        const parsed = JSON.parse(reply) as Reply
        if ('error' in parsed) reject(errorFromWire(parsed.error))
        else resolve(parsed.result)
      }
      this.#enqueue(addressName(address), body, onReply)
    })
  }

  async cast(address: Address, envelope: RequestEnvelope): Promise<void> {
    this.#assertOpen()
    this.#enqueue(addressName(address), encodePayload(envelope, 'args'), undefined)
  }

  async fanout(topic: string, envelope: RequestEnvelope): Promise<void> {
    this.#assertOpen()
    const body = encodePayload(envelope, 'args')
    for (const server of this.#servers.get(topic) ?? []) {
      if (server.active) this.#deliver(server, body, undefined)
    }
  }

  async serve(address: Required<Address>, handler: RequestHandler): Promise<Subscription> {
    this.#assertOpen()
    const server: Server = { name: address.server, handler, inFlight: new Set(), active: true }
    const list = this.#servers.get(address.topic) ?? []
    list.push(server)
    this.#servers.set(address.topic, list)
    for (const name of [address.topic, addressName(address)]) this.#drainWaiting(name)
    return {
      stop: async (drainMs = 0) => {
        if (!server.active) return
        server.active = false
        const remaining = (this.#servers.get(address.topic) ?? []).filter((s) => s !== server)
        this.#servers.set(address.topic, remaining)
        await settleWithin([...server.inFlight], drainMs)
      },
    }
  }

  async publishNotification(topic: string, notification: NotificationEnvelope): Promise<void> {
    this.#assertOpen()
    const body = encodePayload(notification, 'notification')
    const listeners = (this.#listeners.get(topic) ?? []).filter((l) => l.active)
    const byPool = new Map<string, Listener[]>()
    for (const listener of listeners) {
      const key = listener.pool ?? listener.id
      byPool.set(key, [...(byPool.get(key) ?? []), listener])
    }
    for (const [key, pool] of byPool) {
      const turn = this.#nextTurn(`notify:${topic}:${key}`, pool.length)
      const listener = pool[turn]!
      this.#track(
        new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
          listener.handler(JSON.parse(body) as NotificationEnvelope),
        ),
      )
    }
  }

  async listenNotifications(
    topics: readonly string[],
    pool: string | undefined,
    handler: NotificationHandler,
  ): Promise<Subscription> {
    this.#assertOpen()
    const listener: Listener = { id: randomUUID(), pool, handler, active: true }
    for (const topic of topics) this.#listeners.set(topic, [...(this.#listeners.get(topic) ?? []), listener])
    return {
      stop: async () => {
        listener.active = false
        for (const topic of topics) {
          this.#listeners.set(
            topic,
            (this.#listeners.get(topic) ?? []).filter((l) => l !== listener),
          )
        }
      },
    }
  }

  /** Resolves when no message is in flight: what tests await instead of turning casts into calls. */
  async settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (const fail of [...this.#pendingCalls]) fail(new TransportClosed({ reason: 'the bus was closed' }))
    for (const list of this.#servers.values()) for (const s of list) s.active = false
    this.#servers.clear()
    this.#listeners.clear()
    this.#waiting.clear()
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportClosed({ reason: 'the bus was closed' })
  }

  /** Delivers to `name` (a topic or topic.server), or keeps the message until a server of it appears. */
  #enqueue(name: string, body: string, onReply: ((reply: string) => void) | undefined): void {
    const server = this.#pick(name)
    if (server !== undefined) {
      this.#deliver(server, body, onReply)
      return
    }
    const id = randomUUID()
    this.#parked.set(id, { body, onReply })
    this.#waiting.set(name, [...(this.#waiting.get(name) ?? []), id])
  }

  readonly #parked = new Map<string, { body: string; onReply: ((reply: string) => void) | undefined }>()

  #drainWaiting(name: string): void {
    const ids = this.#waiting.get(name) ?? []
    this.#waiting.delete(name)
    for (const id of ids) {
      const parked = this.#parked.get(id)
      this.#parked.delete(id)
      if (parked !== undefined) this.#enqueue(name, parked.body, parked.onReply)
    }
  }

  #pick(name: string): Server | undefined {
    const dot = name.indexOf('.')
    if (dot >= 0) {
      const topic = name.slice(0, dot)
      const serverName = name.slice(dot + 1)
      return (this.#servers.get(topic) ?? []).find((s) => s.active && s.name === serverName)
    }
    const servers = (this.#servers.get(name) ?? []).filter((s) => s.active)
    if (servers.length === 0) return undefined
    return servers[this.#nextTurn(name, servers.length)]
  }

  #nextTurn(key: string, count: number): number {
    const turn = (this.#turn.get(key) ?? -1) + 1
    this.#turn.set(key, turn % count)
    return turn % count
  }

  #deliver(server: Server, body: string, onReply: ((reply: string) => void) | undefined): void {
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => server.handler(JSON.parse(body) as RequestEnvelope))
      .then(
        (result) => ({ result: result ?? null }) as Reply,
        (error: unknown) => ({ error: errorToWire(error) }) as Reply,
      )
      .then((reply) => {
        let text: string
        try {
          text = encodePayload(reply, 'reply')
        } catch (error) {
          text = JSON.stringify({ error: errorToWire(error) })
        }
        onReply?.(text)
      })
    server.inFlight.add(work)
    void work.finally(() => server.inFlight.delete(work))
    this.#track(work)
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch(() => undefined)
    this.#inFlight.add(tracked)
    void tracked.finally(() => this.#inFlight.delete(tracked))
  }
}

/** Waits for the promises, but no longer than `ms`. */
export async function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    Promise.allSettled(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms)
    }),
  ])
  clearTimeout(timer)
}
