import { loadavg, uptime } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_CAPABILITIES, type DriverCapabilities } from '../../driver/capabilities.js'
import type {
  AdminPasswordCapable,
  CrashDumpCapable,
  DiagnosticsCapable,
  GuestDiagnostics,
  GuestInfo,
  GuestRef,
  HostResources,
  HostUptimeCapable,
  HypervisorDriver,
  ImageCacheCapable,
  ImageCacheReport,
  InstanceDiagnostics,
  InstanceSpec,
  LiveMigrationCapable,
  LiveMigrationControl,
  LiveMigrationDestinationCheck,
  LiveMigrationPlan,
  LiveMigrationRequest,
  SnapshotCapable,
  SnapshotImage,
  SpawnRequest,
} from '../../driver/driver.js'
import { GuestExists, GuestInvalidState, GuestNotFound, SpawnFailed } from '../../driver/errors.js'
import { PowerState, powerStateName } from '../../driver/power-state.js'
import { FakeLiveMigrations, newFakeGuest, type FakeGuest } from './fake-live-migration.js'

export interface FakeDriverOptions {
  /** The compute node name (default: the host given to initHost). */
  readonly nodename?: string
  readonly vcpus: number
  readonly memoryMb: number
  readonly localGb: number
  /** How long a spawn takes. */
  readonly spawnDelayMs?: number
  /** How long a snapshot stays in image_uploading (a real upload takes a while; Tempest races it). */
  readonly snapshotDelayMs?: number
  /** The first N spawns fail. */
  readonly failSpawns?: number
  /** Spawns of instances whose name or display name matches fail. */
  readonly failSpawnPattern?: RegExp
  /** How long a live migration's transfer takes (progress is reported every 20 ms of it). */
  readonly liveMigrationDurationMs?: number
  /** Label of the instances path: two fake hosts with the same label share storage (default: one per host). */
  readonly instancesPath?: string
  readonly capabilities?: Partial<DriverCapabilities>
}

/** Operations whose next calls can be made to fail through `failNext`. */
export type FakeOperation =
  | 'spawn'
  | 'destroy'
  | 'reboot'
  | 'powerOff'
  | 'powerOn'
  | 'pause'
  | 'unpause'
  | 'suspend'
  | 'resume'
  | 'snapshot'
  | 'setAdminPassword'
  | 'triggerCrashDump'
  | 'liveMigration'
  | 'preLiveMigration'

/** Nova's fake driver capabilities: everything a test may ask of a host, and snapshots. */
export const FAKE_CAPABILITIES: DriverCapabilities = {
  ...DEFAULT_CAPABILITIES,
  resize: true,
  rescue: true,
  hasImageCache: true,
  supportsEvacuate: true,
  supportsAttachInterface: true,
  supportsDeviceTagging: true,
  supportsTaggedAttachInterface: true,
  supportsTaggedAttachVolume: true,
  supportsExtendVolume: true,
  supportsMultiattach: true,
  supportsTrustedCerts: true,
  supportsAccelerators: true,
  supportsRemoteManagedPorts: true,
  imageTypes: ['aki', 'ami', 'ari', 'iso', 'qcow2', 'raw'],
  snapshot: true,
  liveMigration: true,
  setAdminPassword: true,
  triggerCrashDump: true,
  instanceDiagnostics: true,
  hostUptime: true,
}

/** Nova's fake get_diagnostics values (deterministic, the same for every guest). */
const DIAGNOSTICS: GuestDiagnostics = {
  cpu0_time: 17300000000,
  memory: 524288,
  vda_errors: -1,
  vda_read: 262144,
  vda_read_req: 112,
  vda_write: 5778432,
  vda_write_req: 488,
  vnet1_rx: 2070139,
  vnet1_rx_drop: 0,
  vnet1_rx_errors: 0,
  vnet1_rx_packets: 26701,
  vnet1_tx: 140208,
  vnet1_tx_drop: 0,
  vnet1_tx_errors: 0,
  vnet1_tx_packets: 662,
}

/**
 * The in-memory hypervisor (Nova's nova/virt/fake.py): guests are map entries with a power state, sizes and a
 * console log; capacity is configured; spawns can be slowed down and made to fail. Several instances of it
 * (one per nova-compute host) live side by side in one process.
 */
export class FakeDriver
  implements
    HypervisorDriver,
    SnapshotCapable,
    AdminPasswordCapable,
    CrashDumpCapable,
    DiagnosticsCapable,
    HostUptimeCapable,
    LiveMigrationCapable,
    ImageCacheCapable
{
  readonly type = 'fake'
  readonly capabilities: DriverCapabilities
  readonly #options: FakeDriverOptions
  readonly #guests = new Map<string, FakeGuest>()
  /** Guests whose disks a resize took away (kept until confirm, brought back by a revert). */
  readonly #migrating = new Map<string, FakeGuest>()
  readonly #rescued = new Set<string>()
  readonly #failures = new Map<FakeOperation, Error[]>()
  #spawnsToFail: number
  #nodename: string | undefined
  readonly #live: FakeLiveMigrations

  constructor(options: FakeDriverOptions) {
    this.#options = options
    this.capabilities = { ...FAKE_CAPABILITIES, ...options.capabilities }
    this.#spawnsToFail = options.failSpawns ?? 0
    this.#nodename = options.nodename
    const guests = this.#guests
    this.#live = new FakeLiveMigrations(
      {
        host: () => this.#nodename ?? 'fake-mini',
        get: (uuid) => guests.get(uuid),
        put: (guest) => void guests.set(guest.uuid, guest),
        remove: (uuid) => void (guests.delete(uuid), this.#rescued.delete(uuid)),
        freeDiskMb: () => (options.localGb - [...guests.values()].reduce((a, g) => a + g.diskGb, 0)) * 1024,
        injected: (operation) => this.#injected(operation),
      },
      {
        ...(options.liveMigrationDurationMs === undefined
          ? {}
          : { durationMs: options.liveMigrationDurationMs }),
        ...(options.instancesPath === undefined ? {} : { instancesPath: options.instancesPath }),
      },
    )
  }

  /** Makes the next call of `operation` reject with `error` (a SpawnFailed-like error by default); stackable. */
  failNext(operation: FakeOperation, error?: Error): void {
    const queue = this.#failures.get(operation) ?? []
    queue.push(error ?? new SpawnFailed('-', `injected failure of ${operation}`))
    this.#failures.set(operation, queue)
  }

  /** How long the next live migration transfers from this host take (tests that abort or force-complete). */
  setLiveMigrationDurationMs(ms: number): void {
    this.#live.setDurationMs(ms)
  }

  /** Simulates a guest crash or an outside change (e.g. for the power-state sync). */
  setPowerState(uuid: string, state: PowerState): void {
    const guest = this.#guests.get(uuid)
    if (guest === undefined) throw new GuestNotFound(uuid)
    guest.state = state
    guest.console.push(`[fake] state set to ${powerStateName(state)}`)
  }

  #injected(operation: FakeOperation): void {
    const error = this.#failures.get(operation)?.shift()
    if (error !== undefined) throw error
  }

  #guest(ref: GuestRef): FakeGuest {
    const guest = this.#guests.get(ref.uuid)
    if (guest === undefined) throw new GuestNotFound(ref.uuid)
    return guest
  }

  #transition(ref: GuestRef, operation: string, from: readonly PowerState[], to: PowerState): void {
    const guest = this.#guest(ref)
    if (!from.includes(guest.state))
      throw new GuestInvalidState(ref.uuid, operation, powerStateName(guest.state))
    guest.state = to
    guest.console.push(`[fake] ${guest.name}: ${operation} -> ${powerStateName(to)}`)
  }

  async initHost(host: string): Promise<void> {
    this.#nodename ??= host
  }

  async cleanupHost(): Promise<void> {}

  nodeNames(): readonly string[] {
    return [this.#nodename ?? 'fake-mini']
  }

  async listInstanceUuids(): Promise<string[]> {
    return [...this.#guests.keys()]
  }

  async getInfo(guest: GuestRef): Promise<GuestInfo> {
    const g = this.#guest(guest)
    return { state: g.state, internalId: g.name }
  }

  async spawn(request: SpawnRequest): Promise<void> {
    const { instance } = request
    if (this.#guests.has(instance.uuid)) throw new GuestExists(instance.name)
    this.#injected('spawn')
    if (this.#spawnsToFail > 0) {
      this.#spawnsToFail--
      throw new SpawnFailed(instance.uuid, 'injected failure ([fake_driver] fail_spawns)')
    }
    const pattern = this.#options.failSpawnPattern
    if (pattern !== undefined && (pattern.test(instance.name) || pattern.test(instance.displayName)))
      throw new SpawnFailed(instance.uuid, `injected failure (name matches ${pattern.source})`)
    if ((this.#options.spawnDelayMs ?? 0) > 0) await sleep(this.#options.spawnDelayMs)
    if (this.#guests.has(instance.uuid)) throw new GuestExists(instance.name)
    const on = request.powerOn ?? true
    const state = on ? PowerState.RUNNING : PowerState.SHUTDOWN
    this.#guests.set(instance.uuid, newFakeGuest(instance, state, request.adminPassword))
    if (on) this.#boot(this.#guests.get(instance.uuid)!)
  }

  #boot(guest: FakeGuest): void {
    guest.boots++
    // A plausible boot log, so that console-output tests (Tempest's unlimited length) see many lines.
    guest.console.push(
      `[    0.000000] Linux version 6.1.0-fake (fake@nova-ts) #${guest.boots} SMP`,
      `[    0.000000] Command line: console=ttyS0 root=/dev/vda1`,
      `[    0.004000] Memory: ${guest.memoryMb * 1024}K available`,
      `[    0.120000] smp: Brought up 1 node, ${guest.vcpus} CPUs`,
      `[    1.020000] EXT4-fs (vda1): mounted filesystem`,
      `[    2.310000] cloud-init: ${guest.uuid} up`,
      `[fake] ${guest.name} booted (boot ${guest.boots})`,
      `${guest.name} login:`,
    )
  }

  /** The password the guest's admin account has (spawn's adminPassword or the last setAdminPassword). */
  adminPasswordOf(uuid: string): string | undefined {
    return this.#guests.get(uuid)?.adminPassword
  }

  /** How many crash dumps were triggered in the guest. */
  crashDumpsOf(uuid: string): number {
    return this.#guests.get(uuid)?.crashDumps ?? 0
  }

  async setAdminPassword(guest: GuestRef, password: string): Promise<void> {
    const g = this.#guest(guest)
    this.#injected('setAdminPassword')
    if (g.state !== PowerState.RUNNING)
      throw new GuestInvalidState(guest.uuid, 'set admin password', powerStateName(g.state))
    g.adminPassword = password
    g.console.push(`[fake] ${g.name}: admin password changed`)
  }

  async triggerCrashDump(guest: GuestRef): Promise<void> {
    const g = this.#guest(guest)
    this.#injected('triggerCrashDump')
    if (g.state !== PowerState.RUNNING && g.state !== PowerState.PAUSED)
      throw new GuestInvalidState(guest.uuid, 'trigger crash dump', powerStateName(g.state))
    g.crashDumps++
    g.console.push(`[fake] ${g.name}: NMI received, kernel crash dump saved`)
  }

  async destroy(guest: GuestRef): Promise<void> {
    this.#injected('destroy')
    this.#guests.delete(guest.uuid)
    this.#rescued.delete(guest.uuid)
  }

  async reboot(guest: GuestRef, kind: 'SOFT' | 'HARD'): Promise<void> {
    const g = this.#guest(guest)
    this.#injected('reboot')
    if (kind === 'SOFT' && g.state !== PowerState.RUNNING)
      throw new GuestInvalidState(guest.uuid, 'reboot', powerStateName(g.state))
    g.state = PowerState.RUNNING
    g.console.push(`[fake] ${g.name}: ${kind.toLowerCase()} reboot`)
    this.#boot(g)
  }

  async powerOff(guest: GuestRef): Promise<void> {
    const g = this.#guest(guest)
    this.#injected('powerOff')
    if (g.state === PowerState.SHUTDOWN) return
    g.state = PowerState.SHUTDOWN
    g.console.push(`[fake] ${g.name}: powered off`)
  }

  async powerOn(guest: GuestRef): Promise<void> {
    const g = this.#guest(guest)
    this.#injected('powerOn')
    if (g.state === PowerState.RUNNING) return
    if (g.state !== PowerState.SHUTDOWN && g.state !== PowerState.CRASHED)
      throw new GuestInvalidState(guest.uuid, 'power on', powerStateName(g.state))
    g.state = PowerState.RUNNING
    this.#boot(g)
  }

  async pause(guest: GuestRef): Promise<void> {
    this.#guest(guest)
    this.#injected('pause')
    this.#transition(guest, 'pause', [PowerState.RUNNING], PowerState.PAUSED)
  }

  async unpause(guest: GuestRef): Promise<void> {
    this.#guest(guest)
    this.#injected('unpause')
    this.#transition(guest, 'unpause', [PowerState.PAUSED], PowerState.RUNNING)
  }

  async suspend(guest: GuestRef): Promise<void> {
    this.#guest(guest)
    this.#injected('suspend')
    this.#transition(guest, 'suspend', [PowerState.RUNNING, PowerState.PAUSED], PowerState.SUSPENDED)
  }

  async resume(guest: GuestRef): Promise<void> {
    this.#guest(guest)
    this.#injected('resume')
    this.#transition(guest, 'resume', [PowerState.SUSPENDED], PowerState.RUNNING)
  }

  async getConsoleOutput(guest: GuestRef): Promise<string> {
    return `${this.#guest(guest).console.join('\n')}\n`
  }

  async getDiagnostics(guest: GuestRef): Promise<GuestDiagnostics> {
    this.#guest(guest)
    return DIAGNOSTICS
  }

  /** Nova's fake standard diagnostics: one CPU, one NIC, one disk; the state is the guest's. */
  async getInstanceDiagnostics(guest: GuestRef): Promise<InstanceDiagnostics> {
    const g = this.#guest(guest)
    return {
      state: powerStateName(g.state),
      driver: 'libvirt',
      hypervisor: 'kvm',
      hypervisorOs: 'ubuntu',
      uptime: 46664,
      configDrive: true,
      cpus: [{ id: 0, time: 17300000000, utilisation: 15 }],
      nics: [
        {
          macAddress: '01:23:45:67:89:ab',
          rxOctets: 2070139,
          rxErrors: 100,
          rxDrop: 200,
          rxPackets: 26701,
          rxRate: 300,
          txOctets: 140208,
          txErrors: 400,
          txDrop: 500,
          txPackets: 662,
          txRate: 600,
        },
      ],
      disks: [
        { readBytes: 262144, readRequests: 112, writeBytes: 5778432, writeRequests: 488, errorsCount: 1 },
      ],
      memory: { maximum: g.memoryMb, used: 0 },
    }
  }

  /** The machine's uptime in the `uptime` command's words. */
  async getHostUptime(): Promise<string> {
    const up = Math.floor(uptime())
    const now = new Date()
    const clock = [now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds()]
      .map((n) => String(n).padStart(2, '0'))
      .join(':')
    const days = Math.floor(up / 86400)
    const hm = `${Math.floor((up % 86400) / 3600)}:${String(Math.floor((up % 3600) / 60)).padStart(2, '0')}`
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')
    return ` ${clock} up ${days} days, ${hm},  1 user,  load average: ${load}`
  }

  /** Nova's fake driver has an image cache (has_imagecache) with nothing in it: a pass finds nothing to age. */
  async manageImageCache(): Promise<ImageCacheReport> {
    return { inUse: [], removed: [], kept: [] }
  }

  async getAvailableResource(nodename: string): Promise<HostResources> {
    const guests = [...this.#guests.values()]
    const sum = (f: (g: FakeGuest) => number) => guests.reduce((acc, g) => acc + f(g), 0)
    return {
      vcpus: this.#options.vcpus,
      memoryMb: this.#options.memoryMb,
      localGb: this.#options.localGb,
      vcpusUsed: sum((g) => g.vcpus),
      memoryMbUsed: sum((g) => g.memoryMb),
      localGbUsed: sum((g) => g.diskGb),
      hypervisorType: 'fake',
      hypervisorVersion: 1000,
      hypervisorHostname: nodename,
      cpuInfo: {},
      supportedInstances: [['x86_64', 'fake', 'hvm']],
      diskAvailableLeast: 0,
      runningVms: guests.length,
    }
  }

  async snapshot(
    guest: GuestRef,
    progress: (taskState: 'image_pending_upload' | 'image_uploading') => Promise<void>,
  ): Promise<SnapshotImage> {
    const g = this.#guest(guest)
    this.#injected('snapshot')
    await progress('image_pending_upload')
    await progress('image_uploading')
    if ((this.#options.snapshotDelayMs ?? 0) > 0) await sleep(this.#options.snapshotDelayMs)
    const bytes = new TextEncoder().encode(`fake snapshot of ${g.uuid}\n`)
    return {
      diskFormat: 'raw',
      containerFormat: 'bare',
      data: (async function* () {
        yield bytes
      })(),
    }
  }

  /** The guest is booted from a rescue image. */
  isRescued(uuid: string): boolean {
    return this.#rescued.has(uuid)
  }

  /** A resize took the guest's disks away and they are still kept for a revert. */
  hasMigrationSource(uuid: string): boolean {
    return this.#migrating.has(uuid)
  }

  async migrateDiskAndPowerOff(guest: GuestRef, destinationHost: string): Promise<void> {
    const g = this.#guest(guest)
    g.state = PowerState.SHUTDOWN
    g.console.push(`[fake] ${g.name}: powered off, disks migrated to ${destinationHost}`)
    this.#guests.delete(g.uuid)
    this.#rescued.delete(g.uuid)
    this.#migrating.set(g.uuid, g)
  }

  async finishMigration(request: SpawnRequest): Promise<void> {
    await this.spawn(request)
  }

  async confirmMigration(guest: GuestRef): Promise<void> {
    this.#migrating.delete(guest.uuid)
  }

  async finishRevertMigration(request: SpawnRequest): Promise<void> {
    const kept = this.#migrating.get(request.instance.uuid)
    if (kept === undefined) return await this.spawn(request)
    if (this.#guests.has(kept.uuid)) throw new GuestExists(kept.name)
    this.#migrating.delete(kept.uuid)
    this.#guests.set(kept.uuid, kept)
    kept.console.push(`[fake] ${kept.name}: resize reverted`)
    if (request.powerOn ?? true) {
      kept.state = PowerState.RUNNING
      this.#boot(kept)
    }
  }

  async rescue(guest: GuestRef, options: { readonly rescueImageId?: string }): Promise<void> {
    const g = this.#guest(guest)
    if (this.#rescued.has(g.uuid)) throw new GuestInvalidState(g.uuid, 'rescue', 'rescued')
    this.#rescued.add(g.uuid)
    g.state = PowerState.RUNNING
    g.console.push(`[fake] ${g.name}: rescue boot from image ${options.rescueImageId ?? '(own image)'}`)
    this.#boot(g)
  }

  async unrescue(guest: GuestRef): Promise<void> {
    const g = this.#guest(guest)
    if (!this.#rescued.delete(g.uuid)) throw new GuestInvalidState(g.uuid, 'unrescue', 'not rescued')
    g.state = PowerState.RUNNING
    g.console.push(`[fake] ${g.name}: unrescued`)
    this.#boot(g)
  }

  // ---- live migration (fake-live-migration.ts) ----

  checkCanLiveMigrateDestination(
    instance: InstanceSpec,
    options: { readonly blockMigration: boolean | 'auto'; readonly diskOverCommit: boolean },
  ): Promise<LiveMigrationDestinationCheck> {
    return this.#live.checkCanLiveMigrateDestination(instance, options)
  }

  checkCanLiveMigrateSource(
    guest: GuestRef,
    dest: LiveMigrationDestinationCheck,
  ): Promise<LiveMigrationPlan> {
    return this.#live.checkCanLiveMigrateSource(guest, dest)
  }

  cleanupLiveMigrationDestinationCheck(dest: LiveMigrationDestinationCheck): Promise<void> {
    return this.#live.cleanupLiveMigrationDestinationCheck(dest)
  }

  preLiveMigration(request: SpawnRequest, plan: LiveMigrationPlan): Promise<{ readonly uri: string }> {
    return this.#live.preLiveMigration(request, plan)
  }

  liveMigration(
    guest: GuestRef,
    request: LiveMigrationRequest,
    control: LiveMigrationControl,
  ): Promise<void> {
    return this.#live.liveMigration(guest, request, control)
  }

  forceCompleteLiveMigration(guest: GuestRef): Promise<void> {
    return this.#live.forceCompleteLiveMigration(guest)
  }

  postLiveMigrationAtSource(guest: GuestRef, plan: LiveMigrationPlan): Promise<void> {
    return this.#live.postLiveMigrationAtSource(guest, plan)
  }

  postLiveMigrationAtDestination(
    guest: GuestRef,
    options: { readonly plan: LiveMigrationPlan; readonly paused: boolean },
  ): Promise<void> {
    return this.#live.postLiveMigrationAtDestination(guest, options)
  }

  rollbackLiveMigrationAtDestination(guest: GuestRef, plan: LiveMigrationPlan): Promise<void> {
    return this.#live.rollbackLiveMigrationAtDestination(guest, plan)
  }
}
