import { EventEmitter } from 'node:events'
import { connect, type Socket } from 'node:net'

/** An asynchronous QMP event (`{"event": …, "data": …, "timestamp": …}`). */
export interface QmpEvent {
  readonly event: string
  readonly data?: Readonly<Record<string, unknown>>
  readonly timestamp?: { readonly seconds: number; readonly microseconds: number }
}

/** The greeting QEMU sends when a client connects. */
export interface QmpGreeting {
  readonly QMP: {
    readonly version: { readonly qemu: { major: number; minor: number; micro: number }; package: string }
    readonly capabilities: readonly string[]
  }
}

/** QEMU answered a command with `{"error": {"class", "desc"}}`. */
export class QmpCommandError extends Error {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    desc: string,
  ) {
    super(`QMP ${command} failed: ${errorClass}: ${desc}`)
    this.name = 'QmpCommandError'
  }
}

/** No answer (or no greeting, or no event) in time. */
export class QmpTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`QMP ${what}: no answer in ${ms} ms`)
    this.name = 'QmpTimeout'
  }
}

/** The monitor connection is closed (QEMU quit, or close() was called). */
export class QmpClosed extends Error {
  constructor(what: string) {
    super(`QMP ${what}: the monitor connection is closed`)
    this.name = 'QmpClosed'
  }
}

interface Pending {
  readonly command: string
  resolve(value: unknown): void
  reject(error: Error): void
  readonly timer: NodeJS.Timeout
}

export interface QmpConnectOptions {
  /** How long to wait for the socket and the greeting + capabilities negotiation (default 5000 ms). */
  readonly timeoutMs?: number
  /** Default per-command timeout (default 10000 ms). */
  readonly commandTimeoutMs?: number
}

/**
 * A QMP client over a unix socket: reads the greeting, negotiates `qmp_capabilities`, then runs commands tagged
 * with ids (several may be in flight) and routes events — which QEMU interleaves with replies — to listeners
 * (`on('event', …)`, `waitForEvent`). Emits 'close' once when the connection ends.
 */
export class QmpClient extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  readonly greeting: QmpGreeting
  readonly #socket: Socket
  readonly #pending = new Map<string, Pending>()
  readonly #commandTimeoutMs: number
  #nextId = 1
  #closed = false
  readonly closed: Promise<void>

  private constructor(socket: Socket, greeting: QmpGreeting, buffered: string, commandTimeoutMs: number) {
    super()
    this.#socket = socket
    this.greeting = greeting
    this.#commandTimeoutMs = commandTimeoutMs
    this.closed = new Promise((resolve) => this.once('close', resolve))
    let buffer = buffered
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim()
        buffer = buffer.slice(nl + 1)
        if (line.length > 0) this.#onLine(line)
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => this.#onClose())
  }

  /** Connects to the monitor socket at `path`, reads the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? 5000
    const socket = connect(path)
    const { greeting, rest } = await new Promise<{ greeting: QmpGreeting; rest: string }>(
      (resolve, reject) => {
        let buffer = ''
        const fail = (error: Error) => {
          cleanup()
          socket.destroy()
          reject(error)
        }
        const timer = setTimeout(() => fail(new QmpTimeout(`greeting on ${path}`, timeoutMs)), timeoutMs)
        const onData = (chunk: Buffer) => {
          buffer += chunk.toString('utf8')
          const nl = buffer.indexOf('\n')
          if (nl < 0) return
          cleanup()
          try {
            const greeting = JSON.parse(buffer.slice(0, nl)) as QmpGreeting
            if (greeting.QMP === undefined) throw new Error(`not a QMP greeting: ${buffer.slice(0, nl)}`)
            resolve({ greeting, rest: buffer.slice(nl + 1) })
          } catch (error) {
            socket.destroy()
            reject(error as Error)
          }
        }
        const onError = (error: Error) => fail(error)
        const onClose = () => fail(new QmpClosed(`greeting on ${path}`))
        const cleanup = () => {
          clearTimeout(timer)
          socket.off('data', onData)
          socket.off('error', onError)
          socket.off('close', onClose)
        }
        socket.on('data', onData)
        socket.on('error', onError)
        socket.on('close', onClose)
      },
    )
    const client = new QmpClient(socket, greeting, rest, options.commandTimeoutMs ?? 10_000)
    try {
      await client.execute('qmp_capabilities', undefined, { timeoutMs })
    } catch (error) {
      client.close()
      throw error
    }
    return client
  }

  get isClosed(): boolean {
    return this.#closed
  }

  /** Runs one command; resolves with its `return`, rejects with QmpCommandError, QmpTimeout or QmpClosed. */
  execute<T = unknown>(
    command: string,
    args?: Readonly<Record<string, unknown>>,
    options: { readonly timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new QmpClosed(command))
    const id = `nova-${this.#nextId++}`
    const timeoutMs = options.timeoutMs ?? this.#commandTimeoutMs
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new QmpTimeout(command, timeoutMs))
      }, timeoutMs)
      this.#pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer })
      const message = { execute: command, ...(args === undefined ? {} : { arguments: args }), id }
      this.#socket.write(`${JSON.stringify(message)}\n`)
    })
  }

  /** Resolves with the next event named `name` (matching `predicate`), or rejects after `timeoutMs` or on close. */
  waitForEvent(
    name: string,
    options: { readonly timeoutMs: number; readonly predicate?: (event: QmpEvent) => boolean },
  ): Promise<QmpEvent> {
    if (this.#closed) return Promise.reject(new QmpClosed(`waiting for ${name}`))
    return new Promise((resolve, reject) => {
      const onEvent = (event: QmpEvent) => {
        if (event.event !== name || (options.predicate !== undefined && !options.predicate(event))) return
        cleanup()
        resolve(event)
      }
      const onClose = () => {
        cleanup()
        reject(new QmpClosed(`waiting for ${name}`))
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new QmpTimeout(`event ${name}`, options.timeoutMs))
      }, options.timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.off('event', onEvent)
        this.off('close', onClose)
      }
      this.on('event', onEvent)
      this.on('close', onClose)
    })
  }

  /** Closes the connection; commands in flight reject with QmpClosed. */
  close(): void {
    this.#socket.destroy()
    this.#onClose()
  }

  #onLine(line: string): void {
    let message: Record<string, unknown>
    try {
      message = JSON.parse(line) as Record<string, unknown>
    } catch {
      return
    }
    if (typeof message.event === 'string') {
      this.emit('event', message as unknown as QmpEvent)
      return
    }
    const id = typeof message.id === 'string' ? message.id : undefined
    // Without an id (a reply to a command sent before ids, or a malformed one), the oldest command gets it.
    const key = id ?? this.#pending.keys().next().value
    const pending = key === undefined ? undefined : this.#pending.get(key)
    if (pending === undefined || key === undefined) return
    this.#pending.delete(key)
    clearTimeout(pending.timer)
    if ('error' in message) {
      const error = (message.error ?? {}) as { class?: string; desc?: string }
      pending.reject(new QmpCommandError(pending.command, error.class ?? 'GenericError', error.desc ?? ''))
    } else pending.resolve(message.return)
  }

  #onClose(): void {
    if (this.#closed) return
    this.#closed = true
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer)
      this.#pending.delete(id)
      // quit's reply can be lost when QEMU closes the socket first: that is its success.
      if (pending.command === 'quit') pending.resolve({})
      else pending.reject(new QmpClosed(pending.command))
    }
    this.emit('close')
  }
}
