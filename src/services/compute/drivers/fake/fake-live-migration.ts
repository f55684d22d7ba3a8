import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  InvalidLocalStorage,
  InvalidSharedStorage,
  LiveMigrationAborted,
  MigrationPreCheckError,
} from '../../../../common/errors/index.js'
import type {
  GuestRef,
  InstanceSpec,
  LiveMigrationControl,
  LiveMigrationDestinationCheck,
  LiveMigrationPlan,
  LiveMigrationProgress,
  LiveMigrationRequest,
  SpawnRequest,
} from '../../driver/driver.js'
import { GuestExists, GuestInvalidState, GuestNotFound } from '../../driver/errors.js'
import { PowerState, powerStateName } from '../../driver/power-state.js'

/** A fake guest as the fake driver keeps it. */
export interface FakeGuest {
  readonly uuid: string
  readonly name: string
  state: PowerState
  readonly vcpus: number
  readonly memoryMb: number
  readonly diskGb: number
  readonly console: string[]
  boots: number
  adminPassword?: string
  crashDumps: number
}

/** A fresh guest record for an instance (not booted: no boot lines yet). */
export function newFakeGuest(instance: InstanceSpec, state: PowerState, adminPassword?: string): FakeGuest {
  const f = instance.flavor
  return {
    uuid: instance.uuid,
    name: instance.name,
    state,
    vcpus: f.vcpus,
    memoryMb: f.memoryMb,
    diskGb: f.rootGb + f.ephemeralGb + Math.ceil(f.swapMb / 1024),
    console: ['FAKE CONSOLE OUTPUT', `[fake] ${instance.name} (${instance.uuid}) created`],
    boots: 0,
    crashDumps: 0,
    ...(adminPassword === undefined ? {} : { adminPassword }),
  }
}

/** What the live migration half needs of its FakeDriver. */
export interface FakeGuestStore {
  host(): string
  get(uuid: string): FakeGuest | undefined
  put(guest: FakeGuest): void
  remove(uuid: string): void
  /** Free local disk (MiB) after the guests' flavors. */
  freeDiskMb(): number
  /** Throws the injected failure of `operation`, if one is queued. */
  injected(operation: 'liveMigration' | 'preLiveMigration'): void
}

/** Markers per fake instances path, process-wide: two fake hosts configured with one path "share" it. */
const MARKERS = new Map<string, Set<string>>()
/** Destinations waiting for a guest in this process, by URI: they take over the guest's console and boots. */
const LISTENERS = new Map<string, (guest: FakeGuest) => void>()

const MIB = 1024 * 1024
const TICK_MS = 20

/**
 * The fake driver's live migration (LiveMigrationCapable): the transfer takes `durationMs` in ticks, reporting
 * linear progress (memory, and disks for a block migration) each tick; it can be aborted and force-completed at
 * any tick. Shared storage is simulated by `instancesPath` labels; the guest moves between two FakeDrivers of one
 * process through a URI registry (across processes the destination keeps the guest it prepared from the spec).
 */
export class FakeLiveMigrations {
  readonly #store: FakeGuestStore
  #durationMs: number
  readonly #instancesPath: () => string
  /** Destination side: guests prepared by preLiveMigration, not listed yet. */
  readonly #incoming = new Map<string, FakeGuest>()
  /** Source side: migrations in progress (uuid → force-completed?). */
  readonly #running = new Map<string, { forced: boolean }>()

  constructor(store: FakeGuestStore, options: { durationMs?: number; instancesPath?: string }) {
    this.#store = store
    this.#durationMs = options.durationMs ?? 0
    this.#instancesPath = () => options.instancesPath ?? `fake://${store.host()}/instances`
  }

  /** Changes how long the next transfers take (tests: a long one to abort or force-complete). */
  setDurationMs(ms: number): void {
    this.#durationMs = ms
  }

  #markers(): Set<string> {
    const path = this.#instancesPath()
    let set = MARKERS.get(path)
    if (set === undefined) MARKERS.set(path, (set = new Set()))
    return set
  }

  async checkCanLiveMigrateDestination(
    instance: InstanceSpec,
    options: { readonly blockMigration: boolean | 'auto'; readonly diskOverCommit: boolean },
  ): Promise<LiveMigrationDestinationCheck> {
    if (this.#store.get(instance.uuid) !== undefined || this.#incoming.has(instance.uuid))
      throw new MigrationPreCheckError({
        reason: `Instance ${instance.uuid} already exists on ${this.#store.host()}.`,
      })
    const marker = randomUUID()
    this.#markers().add(marker)
    return {
      host: this.#store.host(),
      sharedStorageMarker: marker,
      diskAvailableMb: this.#store.freeDiskMb(),
      blockMigration: options.blockMigration,
      diskOverCommit: options.diskOverCommit,
    }
  }

  async checkCanLiveMigrateSource(
    guest: GuestRef,
    destination: LiveMigrationDestinationCheck,
  ): Promise<LiveMigrationPlan> {
    const g = this.#store.get(guest.uuid)
    if (g === undefined) throw new GuestNotFound(guest.uuid)
    if (g.state !== PowerState.RUNNING && g.state !== PowerState.PAUSED)
      throw new GuestInvalidState(guest.uuid, 'live migrate', powerStateName(g.state))
    const shared = this.#markers().has(destination.sharedStorageMarker)
    const block = destination.blockMigration === 'auto' ? !shared : destination.blockMigration
    const path = this.#store.host()
    if (block && shared)
      throw new InvalidLocalStorage({ path, reason: 'Block migration can not be used with shared storage.' })
    if (!block && !shared)
      throw new InvalidSharedStorage({
        path,
        reason:
          'Shared storage live-migration requires either shared storage or boot-from-volume with no local disks.',
      })
    const needMb = g.diskGb * 1024
    const available = destination.diskAvailableMb
    if (block && !destination.diskOverCommit && available !== undefined && needMb > available)
      throw new MigrationPreCheckError({
        reason: `Unable to migrate ${guest.uuid}: Disk of instance is too large(available on destination host:${available} < need:${needMb})`,
      })
    return { blockMigration: block, sharedInstancePath: shared }
  }

  async cleanupLiveMigrationDestinationCheck(destination: LiveMigrationDestinationCheck): Promise<void> {
    this.#markers().delete(destination.sharedStorageMarker)
  }

  #uri(uuid: string): string {
    return `fake://${this.#store.host()}/${uuid}`
  }

  async preLiveMigration(request: SpawnRequest, _plan: LiveMigrationPlan): Promise<{ readonly uri: string }> {
    const { instance } = request
    if (this.#store.get(instance.uuid) !== undefined || this.#incoming.has(instance.uuid))
      throw new GuestExists(instance.name)
    this.#store.injected('preLiveMigration')
    const incoming = newFakeGuest(instance, PowerState.PAUSED)
    incoming.console.push(`[fake] ${instance.name}: waiting for an incoming migration`)
    this.#incoming.set(instance.uuid, incoming)
    const uri = this.#uri(instance.uuid)
    LISTENERS.set(uri, (source) => {
      incoming.console.splice(0, incoming.console.length, ...source.console)
      incoming.boots = source.boots
      if (source.adminPassword !== undefined) incoming.adminPassword = source.adminPassword
    })
    return { uri }
  }

  async liveMigration(
    guest: GuestRef,
    request: LiveMigrationRequest,
    control: LiveMigrationControl,
  ): Promise<void> {
    const g = this.#store.get(guest.uuid)
    if (g === undefined) throw new GuestNotFound(guest.uuid)
    if (this.#running.has(g.uuid)) throw new GuestInvalidState(g.uuid, 'live migrate', 'migrating')
    this.#store.injected('liveMigration')
    const before = g.state
    const run = { forced: false }
    this.#running.set(g.uuid, run)
    const memoryTotal = g.memoryMb * MIB
    const diskTotal = request.plan.blockMigration ? g.diskGb * 1024 * MIB : 0
    const steps = Math.max(1, Math.round(this.#durationMs / TICK_MS))
    try {
      for (let step = 0; ; step++) {
        if (control.signal.aborted) {
          g.state = before
          g.console.push(`[fake] ${g.name}: live migration to ${request.destinationHost} aborted`)
          throw new LiveMigrationAborted({ instanceUuid: g.uuid })
        }
        const done = run.forced ? 1 : Math.min(1, step / steps)
        control.onProgress(progress(memoryTotal, diskTotal, done))
        if (done >= 1) break
        await sleep(this.#durationMs / steps, undefined, { signal: control.signal }).catch(() => undefined)
      }
    } finally {
      this.#running.delete(g.uuid)
    }
    g.state = before
    g.console.push(`[fake] ${g.name}: live migrated to ${request.destinationHost}`)
    LISTENERS.get(request.destinationUri)?.(g)
    LISTENERS.delete(request.destinationUri)
    this.#store.remove(g.uuid)
  }

  async forceCompleteLiveMigration(guest: GuestRef): Promise<void> {
    const run = this.#running.get(guest.uuid)
    if (run === undefined)
      throw new GuestInvalidState(guest.uuid, 'force complete a live migration', 'not migrating')
    run.forced = true
    const g = this.#store.get(guest.uuid)
    if (g !== undefined) g.state = PowerState.PAUSED
  }

  async postLiveMigrationAtSource(guest: GuestRef, _plan: LiveMigrationPlan): Promise<void> {
    this.#store.remove(guest.uuid)
  }

  async postLiveMigrationAtDestination(
    guest: GuestRef,
    options: { readonly plan: LiveMigrationPlan; readonly paused: boolean },
  ): Promise<void> {
    const incoming = this.#incoming.get(guest.uuid)
    if (incoming === undefined) {
      if (this.#store.get(guest.uuid) !== undefined) return
      throw new GuestNotFound(guest.uuid)
    }
    this.#incoming.delete(guest.uuid)
    LISTENERS.delete(this.#uri(guest.uuid))
    incoming.state = options.paused ? PowerState.PAUSED : PowerState.RUNNING
    incoming.console.push(`[fake] ${incoming.name}: now running on ${this.#store.host()}`)
    this.#store.put(incoming)
  }

  async rollbackLiveMigrationAtDestination(guest: GuestRef, _plan: LiveMigrationPlan): Promise<void> {
    this.#incoming.delete(guest.uuid)
    LISTENERS.delete(this.#uri(guest.uuid))
  }
}

function progress(memoryTotal: number, diskTotal: number, done: number): LiveMigrationProgress {
  const memoryProcessed = Math.round(memoryTotal * done)
  const diskProcessed = Math.round(diskTotal * done)
  return {
    memoryTotal,
    memoryProcessed,
    memoryRemaining: memoryTotal - memoryProcessed,
    diskTotal,
    diskProcessed,
    diskRemaining: diskTotal - diskProcessed,
  }
}
