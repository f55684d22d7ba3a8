import { rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { GuestRef } from '../../driver/driver.js'
import { GuestNotFound } from '../../driver/errors.js'
import { PowerState } from '../../driver/power-state.js'
import { buildQemuArgv, type Accelerator, type GuestPaths } from './argv.js'
import { devicesOf } from './guest-devices.js'
import { isQemuAlive, launchQemu, waitForExit } from './guest-process.js'
import {
  powerStateOfRunState,
  QEMU_LOG_FILE,
  SUSPENDED_STATE_FILE,
  type GuestRecord,
} from './guest-record.js'
import { QmpClient } from './qmp-client.js'
import { bootOf } from './rescue.js'

/** One guest the driver knows: its record and files, and its QEMU process and monitor while it runs. */
export interface Guest {
  record: GuestRecord
  readonly paths: GuestPaths
  pid: number | undefined
  qmp: QmpClient | undefined
}

/**
 * The QEMU driver's guests and what every operation on them needs: the per-guest lock, whether the process is
 * alive, the QMP monitor, the power state, starting and stopping the process. The driver's operation modules
 * (power, snapshot, migration, config drive, …) act through it; it knows nothing of Nova's requests.
 */
export class QemuGuests {
  readonly #guests = new Map<string, Guest>()
  readonly #locks = new Map<string, Promise<unknown>>()
  /** The accelerator guests run with (decided by the driver's initHost). */
  accel: Accelerator = 'tcg'

  constructor(
    readonly qemu: string,
    readonly launchTimeoutMs: number,
  ) {}

  has(uuid: string): boolean {
    return this.#guests.has(uuid)
  }

  /** The guest, or GuestNotFound. */
  get(ref: GuestRef): Guest {
    const guest = this.#guests.get(ref.uuid)
    if (guest === undefined) throw new GuestNotFound(ref.uuid)
    return guest
  }

  find(uuid: string): Guest | undefined {
    return this.#guests.get(uuid)
  }

  add(guest: Guest): void {
    this.#guests.set(guest.record.uuid, guest)
  }

  all(): Guest[] {
    return [...this.#guests.values()]
  }

  uuids(): string[] {
    return [...this.#guests.keys()]
  }

  /** Runs `fn` with the guest's lock held: operations on one guest never overlap. */
  async locked<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(uuid) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(fn)
    this.#locks.set(uuid, next)
    try {
      return await next
    } finally {
      if (this.#locks.get(uuid) === next) this.#locks.delete(uuid)
    }
  }

  async alive(guest: Guest): Promise<boolean> {
    if (guest.pid !== undefined && (await isQemuAlive(guest.pid, guest.record.uuid))) return true
    guest.pid = undefined
    guest.qmp?.close()
    guest.qmp = undefined
    return false
  }

  async monitor(guest: Guest): Promise<QmpClient> {
    if (guest.qmp !== undefined && !guest.qmp.isClosed) return guest.qmp
    const qmp = await QmpClient.connect(guest.paths.qmp, { timeoutMs: 10_000 })
    guest.qmp = qmp
    qmp.once('close', () => {
      if (guest.qmp === qmp) guest.qmp = undefined
    })
    return qmp
  }

  async runState(guest: Guest): Promise<string> {
    const status = await (await this.monitor(guest)).execute<{ status: string }>('query-status')
    return status.status
  }

  async state(guest: Guest): Promise<PowerState> {
    if (await this.alive(guest)) {
      try {
        return powerStateOfRunState(await this.runState(guest))
      } catch (error) {
        if (!(await this.alive(guest))) return this.state(guest)
        throw error
      }
    }
    const suspended = await stat(path.join(guest.paths.dir, SUSPENDED_STATE_FILE)).then(
      () => true,
      () => false,
    )
    return suspended ? PowerState.SUSPENDED : PowerState.SHUTDOWN
  }

  /** The guest's QEMU command line, from its record and paths (`incoming`: a saved state file to start from). */
  argvOf(guest: Guest, incoming?: string): string[] {
    const { record, paths } = guest
    return buildQemuArgv({
      uuid: record.uuid,
      name: record.name,
      vcpus: record.flavor.vcpus,
      memoryMb: record.flavor.memoryMb,
      accel: this.accel,
      paths,
      ...(record.machineType === undefined ? {} : { machineType: record.machineType }),
      ...(record.diskBus === undefined ? {} : { diskBus: record.diskBus }),
      ...bootOf(record, paths),
      ...(record.configDrive === undefined ? {} : { configDrive: record.configDrive }),
      ...devicesOf(record),
      ...(incoming === undefined ? {} : { incomingStateFile: incoming }),
    })
  }

  /** Launches QEMU with `argv` for the guest (its pid and monitor set once QMP answers), without waiting further. */
  async launch(guest: Guest, argv: readonly string[]): Promise<QmpClient> {
    await rm(guest.paths.qmp, { force: true })
    const { pid, qmp } = await launchQemu({
      binary: this.qemu,
      argv,
      logFile: path.join(guest.paths.dir, QEMU_LOG_FILE),
      qmpSocket: guest.paths.qmp,
      timeoutMs: this.launchTimeoutMs,
    })
    guest.pid = pid
    guest.qmp = qmp
    qmp.once('close', () => {
      if (guest.qmp === qmp) guest.qmp = undefined
    })
    return qmp
  }

  /** Starts the guest's QEMU (from its saved state when `incoming`) and waits until it runs. */
  async start(guest: Guest, incoming?: string): Promise<void> {
    const qmp = await this.launch(guest, this.argvOf(guest, incoming))
    // An incoming guest takes the run state it was saved in (paused, as suspend stops it first): resume it.
    const deadline = Date.now() + 120_000
    for (let status = await this.runState(guest); status !== 'running'; status = await this.runState(guest)) {
      if (Date.now() > deadline) throw new Error(`the guest did not start running (${status})`)
      if (status === 'paused' && incoming !== undefined) await qmp.execute('cont')
      else await sleep(50)
    }
  }

  /** Stops the guest's QEMU: `quit` over QMP, SIGKILL when it does not go. */
  async stopProcess(guest: Guest): Promise<void> {
    const pid = guest.pid
    if (pid === undefined || !(await this.alive(guest))) return
    try {
      await (await this.monitor(guest)).execute('quit', undefined, { timeoutMs: 3000 })
    } catch {
      // fall through to the signal
    }
    if (!(await waitForExit(pid, guest.record.uuid, 5000))) {
      process.kill(pid, 'SIGKILL')
      await waitForExit(pid, guest.record.uuid, 5000)
    }
    guest.qmp?.close()
    guest.qmp = undefined
    guest.pid = undefined
  }

  async remove(uuid: string, paths: GuestPaths, keepDisks = false): Promise<void> {
    this.#guests.delete(uuid)
    if (!keepDisks) return await rm(paths.dir, { recursive: true, force: true })
    for (const file of [paths.qmp, paths.serial, paths.vnc, paths.pidfile])
      await rm(file, { force: true }).catch(() => undefined)
  }

  /**
   * Presses the ACPI power button (again every `retryMs`) until the guest has shut down or `timeoutMs` passed;
   * true when it shut down (QEMU, started with -no-shutdown, stays in the `shutdown` run state).
   */
  async acpiShutdown(guest: Guest, timeoutMs: number, retryMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    let nextPress = 0
    while (Date.now() < deadline) {
      if (!(await this.alive(guest))) return true
      const qmp = await this.monitor(guest)
      const status = await qmp.execute<{ status: string }>('query-status')
      if (status.status === 'shutdown') return true
      if (Date.now() >= nextPress) {
        await qmp.execute('system_powerdown')
        nextPress = Date.now() + retryMs
      }
      await qmp
        .waitForEvent('SHUTDOWN', { timeoutMs: Math.max(1, Math.min(200, deadline - Date.now())) })
        .catch(() => undefined)
    }
    return false
  }
}
