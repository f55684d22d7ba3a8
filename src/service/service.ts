/**
 * The unit the launchers compose: a daemon's work (nova-conductor, nova-compute, …) or a part of one.
 * nova-all starts every service in one process; a split daemon starts one. The code path is the same.
 */
export interface Service {
  /** The binary it runs as, as Nova names it: `nova-conductor`, `nova-compute`, `nova-osapi_compute`. */
  readonly binary: string
  /**
   * Starts the service; resolves once it serves (its RPC queues consume, its port listens).
   * On failure it rejects after releasing whatever it had taken, so the launcher can exit cleanly.
   */
  start(): Promise<void>
  /**
   * Graceful stop (SIGTERM): stop taking new work, let in-flight RPC handlers and requests finish for up to
   * `drainMs`, then release connections and timers. Idempotent; never rejects.
   */
  stop(drainMs: number): Promise<void>
  /** Human-readable lines the launcher prints once started, e.g. `compute API  http://127.0.0.1:8774/v2.1`. */
  endpoints?(): readonly string[]
}
