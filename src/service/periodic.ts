import type { Logger } from '../common/logger.js'
import { adminContext, runWithContext, type RequestContext } from '../common/context.js'

/** Work a service repeats (Nova's `@periodic_task`): one run at a time, never overlapping itself. */
export interface PeriodicTask {
  readonly name: string
  /** Seconds between the end of one run and the start of the next. */
  readonly spacingS: number
  /** Runs the first time right after start, instead of after one spacing. */
  readonly runImmediately?: boolean
  run(ctx: RequestContext): Promise<void>
}

/**
 * Runs periodic tasks on timers. A failing run is logged and the task goes on; stop() waits for the
 * runs in progress. Timers are unref'd so they never keep a process alive on their own.
 */
export class PeriodicRunner {
  readonly #tasks: readonly PeriodicTask[]
  readonly #logger: Logger
  readonly #timers = new Map<string, NodeJS.Timeout>()
  readonly #running = new Set<Promise<void>>()
  #stopped = false

  constructor(tasks: readonly PeriodicTask[], logger: Logger) {
    this.#tasks = tasks
    this.#logger = logger
  }

  start(): void {
    this.#stopped = false
    for (const task of this.#tasks)
      this.#schedule(task, task.runImmediately === true ? 0 : task.spacingS * 1000)
  }

  #schedule(task: PeriodicTask, delayMs: number): void {
    if (this.#stopped) return
    const timer = setTimeout(() => {
      const ctx = adminContext()
      const run = runWithContext(ctx, () => task.run(ctx))
        .catch((error: unknown) =>
          this.#logger.error({ err: error, task: task.name }, 'periodic task failed'),
        )
        .finally(() => {
          this.#running.delete(run)
          this.#schedule(task, task.spacingS * 1000)
        })
      this.#running.add(run)
    }, delayMs)
    timer.unref()
    this.#timers.set(task.name, timer)
  }

  /** Cancels future runs and waits for the current ones. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true
    for (const timer of this.#timers.values()) clearTimeout(timer)
    this.#timers.clear()
    await Promise.allSettled([...this.#running])
  }
}
