import type { DriverCapabilities } from './capabilities.js'
import type { PowerState } from './power-state.js'

/** Names a guest: the instance's uuid (Nova's key) and its hypervisor name (`instance_name_template`). */
export interface GuestRef {
  readonly uuid: string
  /** The hypervisor's name of the guest, e.g. `instance-0000002a`. */
  readonly name: string
}

/** The flavor sizes a guest gets. */
export interface GuestFlavor {
  readonly vcpus: number
  readonly memoryMb: number
  readonly rootGb: number
  readonly ephemeralGb: number
  /** MiB, as Nova's flavor.swap. */
  readonly swapMb: number
  readonly extraSpecs?: Readonly<Record<string, string>>
}

/** The instance to create, as the compute manager hands it to the driver. */
export interface InstanceSpec extends GuestRef {
  readonly displayName: string
  readonly projectId: string
  readonly userId: string
  readonly flavor: GuestFlavor
  readonly hostname?: string
  readonly userData?: string
  readonly metadata?: Readonly<Record<string, string>>
  readonly configDrive?: boolean
}

/** The image the guest boots from (Nova's ImageMeta): Glance's fields and its `properties` (hw_*, os_*, …). */
export interface ImageMeta {
  readonly id?: string
  readonly name?: string
  readonly diskFormat?: string
  readonly containerFormat?: string
  readonly minRam?: number
  readonly minDisk?: number
  readonly size?: number
  readonly checksum?: string
  readonly properties: Readonly<Record<string, string>>
}

/** Placement's allocations of the instance: provider uuid → resource class → amount. */
export type GuestAllocations = Readonly<
  Record<string, { readonly resources: Readonly<Record<string, number>> }>
>

/**
 * One virtual interface (placeholder until the networking issue: Nova's network_info VIF, reduced to what a driver
 * needs to plug a NIC).
 */
export interface VifInfo {
  readonly id: string
  readonly address: string
  readonly networkId?: string
  readonly type?: string
  readonly devname?: string
  readonly vnicType?: string
  readonly mtu?: number
}

/** A disk of the guest other than the image root (Nova's block_device_info, as named fields). */
export interface BlockDevice {
  readonly deviceName?: string
  readonly sourceType: 'image' | 'volume' | 'snapshot' | 'blank'
  readonly destinationType: 'local' | 'volume'
  readonly bootIndex?: number
  readonly sizeGb?: number
  readonly diskBus?: string
  readonly deviceType?: string
  readonly guestFormat?: string
  readonly volumeId?: string
  readonly connectionInfo?: Readonly<Record<string, unknown>>
  readonly deleteOnTermination?: boolean
}

export interface BlockDeviceInfo {
  readonly rootDeviceName?: string
  readonly blockDevices: readonly BlockDevice[]
}

/** Everything spawn needs: named fields, never opaque dicts. */
export interface SpawnRequest {
  readonly instance: InstanceSpec
  readonly image: ImageMeta
  readonly allocations: GuestAllocations
  readonly networkInfo: readonly VifInfo[]
  readonly blockDeviceInfo: BlockDeviceInfo
  readonly adminPassword?: string
  readonly injectedFiles?: readonly { readonly path: string; readonly contents: string }[]
  /** Start the guest once created (default true); false leaves it SHUTDOWN (rebuild of a stopped instance). */
  readonly powerOn?: boolean
}

/** What the hypervisor knows of a guest (Nova's hardware.InstanceInfo). */
export interface GuestInfo {
  readonly state: PowerState
  /** The hypervisor's own id of the guest, when it has one. */
  readonly internalId?: string
}

/** Counters of a guest (Nova's legacy get_diagnostics dict: cpu0_time, memory, vda_read, vnet0_rx, …). */
export type GuestDiagnostics = Readonly<Record<string, number>>

/** Nova's standard diagnostics (`objects.Diagnostics`, API 2.48): the guest's state, CPUs, NICs, disks, memory. */
export interface InstanceDiagnostics {
  /** The power state's name (running, paused, shutdown, …). */
  readonly state: string
  readonly driver: string
  readonly hypervisor: string | null
  readonly hypervisorOs: string | null
  /** Seconds since the guest started. */
  readonly uptime: number | null
  readonly configDrive: boolean
  readonly cpus: readonly {
    readonly id: number
    readonly time: number
    readonly utilisation: number | null
  }[]
  readonly nics: readonly {
    readonly macAddress: string
    readonly rxOctets: number
    readonly rxErrors: number
    readonly rxDrop: number
    readonly rxPackets: number
    readonly rxRate: number | null
    readonly txOctets: number
    readonly txErrors: number
    readonly txDrop: number
    readonly txPackets: number
    readonly txRate: number | null
  }[]
  readonly disks: readonly {
    readonly readBytes: number
    readonly readRequests: number
    readonly writeBytes: number
    readonly writeRequests: number
    readonly errorsCount: number
  }[]
  /** MiB. */
  readonly memory: { readonly maximum: number; readonly used: number }
}

/** What one node offers and what its guests take (Nova's get_available_resource). */
export interface HostResources {
  readonly vcpus: number
  readonly memoryMb: number
  readonly localGb: number
  /** What the guests on this node take (flavor sizes), not counting the host's reserve. */
  readonly vcpusUsed: number
  readonly memoryMbUsed: number
  readonly localGbUsed: number
  readonly hypervisorType: string
  /** Nova's integer form of the version: 1.2.3 → 1002003. */
  readonly hypervisorVersion: number
  readonly hypervisorHostname: string
  /** The host CPU (arch, model, vendor, topology, features); stored as JSON in compute_nodes.cpu_info. */
  readonly cpuInfo: Readonly<Record<string, unknown>>
  /** [architecture, hypervisor type, vm mode] triples, e.g. ['x86_64', 'qemu', 'hvm']. */
  readonly supportedInstances: readonly (readonly [string, string, string])[]
  /** Free disk (GiB) when every disk is fully grown; undefined when unknown. */
  readonly diskAvailableLeast?: number
  /** Guests on the node. */
  readonly runningVms: number
}

/**
 * The hypervisor driver port (Nova's ComputeDriver, reduced to what every driver must do). The compute manager
 * owns instance states, locks and records; a driver only acts on guests and answers what exists. A driver gets
 * data, never repositories or bus clients. Errors: GuestNotFound for an unknown guest (except destroy),
 * GuestInvalidState when the guest's power state forbids the operation, SpawnFailed (or any error) when creating
 * failed — after cleaning up whatever it had created.
 */
export interface HypervisorDriver {
  /** Driver type for logs and the hypervisor_type fallback, e.g. `fake`, `qemu`. */
  readonly type: string
  readonly capabilities: DriverCapabilities
  /**
   * Called once when nova-compute starts, before it serves RPC (Nova's init_host): connect to the hypervisor,
   * re-adopt guests that survived a restart. Rejects when the hypervisor cannot be used: the service does not start.
   */
  initHost(host: string): Promise<void>
  /** Called once when nova-compute stops (Nova's cleanup_host). Guests keep running. */
  cleanupHost(): Promise<void>
  /** The compute node names this driver manages (Nova's get_available_nodes); one for fake and qemu. */
  nodeNames(): readonly string[]
  /** Uuids of the guests the hypervisor has, in any power state (Nova's list_instance_uuids). */
  listInstanceUuids(): Promise<string[]>
  /** Power state of one guest; GuestNotFound when the hypervisor has none (Nova's get_info). */
  getInfo(guest: GuestRef): Promise<GuestInfo>
  /**
   * Creates the guest and, unless `powerOn` is false, starts it: RUNNING when this resolves. GuestExists when it
   * already exists. On failure nothing of the guest is left (disks, processes, files).
   */
  spawn(request: SpawnRequest): Promise<void>
  /**
   * Stops the guest and removes it with its local disks (unless `keepDisks`, for evacuation on shared storage).
   * Idempotent: destroying a guest that does not exist succeeds.
   */
  destroy(guest: GuestRef, options?: { readonly keepDisks?: boolean }): Promise<void>
  /**
   * Reboots: SOFT asks the guest OS (falling back to HARD if it does not comply), HARD resets or re-creates it.
   * A HARD reboot also starts a guest that is SHUTDOWN, PAUSED or SUSPENDED. RUNNING when this resolves.
   */
  reboot(guest: GuestRef, kind: 'SOFT' | 'HARD'): Promise<void>
  /**
   * Powers off: with `timeoutS` > 0 asks the guest to shut down and waits that long, then forces it.
   * SHUTDOWN when this resolves; powering off a SHUTDOWN guest succeeds.
   */
  powerOff(
    guest: GuestRef,
    options?: { readonly timeoutS?: number; readonly retryIntervalS?: number },
  ): Promise<void>
  /** Starts a SHUTDOWN (or CRASHED) guest: RUNNING when this resolves; a RUNNING guest is left alone. */
  powerOn(guest: GuestRef): Promise<void>
  /** RUNNING → PAUSED (vCPUs stopped, memory kept). GuestInvalidState from any other state. */
  pause(guest: GuestRef): Promise<void>
  /** PAUSED → RUNNING. GuestInvalidState from any other state. */
  unpause(guest: GuestRef): Promise<void>
  /** RUNNING or PAUSED → SUSPENDED (state saved off the host's memory). GuestInvalidState otherwise. */
  suspend(guest: GuestRef): Promise<void>
  /** SUSPENDED → RUNNING. GuestInvalidState from any other state. */
  resume(guest: GuestRef): Promise<void>
  /** The guest's serial console log (the whole of what is kept; the API cuts `length` lines). */
  getConsoleOutput(guest: GuestRef): Promise<string>
  /** Counters for os-server-diagnostics. */
  getDiagnostics(guest: GuestRef): Promise<GuestDiagnostics>
  /** Capacity and usage of one of `nodeNames()` (Nova's get_available_resource). */
  getAvailableResource(nodename: string): Promise<HostResources>
}

/** An uploadable copy of a guest's root disk. */
export interface SnapshotImage {
  readonly diskFormat: string
  readonly containerFormat: string
  readonly data: AsyncIterable<Uint8Array>
}

/** Optional: createImage / backup / shelve (capabilities.snapshot). */
export interface SnapshotCapable {
  /**
   * Takes a consistent copy of the guest's root disk; the compute manager uploads `data` to the image service.
   * `progress` reports Nova's task states (image_pending_upload, image_uploading) as the driver moves on.
   */
  snapshot(
    guest: GuestRef,
    progress: (taskState: 'image_pending_upload' | 'image_uploading') => Promise<void>,
  ): Promise<SnapshotImage>
}

/** Optional: resize and cold migration (capabilities.resize), Nova's migrate_disk_and_power_off & co. */
export interface ResizeCapable {
  /**
   * On the source: powers the guest off and hands its disks over to `destinationHost` (which may be this host).
   * The source keeps what it needs to bring the guest back (finishRevertMigration) until confirmMigration.
   */
  migrateDiskAndPowerOff(guest: GuestRef, destinationHost: string, flavor: GuestFlavor): Promise<void>
  /** On the destination: creates the guest from the migrated disks with the new flavor; RUNNING unless powerOn false. */
  finishMigration(request: SpawnRequest): Promise<void>
  /** On the source after a confirm: removes what migrateDiskAndPowerOff kept. */
  confirmMigration(guest: GuestRef): Promise<void>
  /** On the source after a revert (the destination's guest destroyed): the guest as it was, with its old flavor. */
  finishRevertMigration(request: SpawnRequest): Promise<void>
}

/** Optional: rescue / unrescue (capabilities.rescue). */
export interface RescueCapable {
  /**
   * Boots the guest from a rescue image (the instance's own image unless `rescueImageId`) with its disk attached:
   * RUNNING when this resolves. GuestInvalidState when it is already rescued.
   */
  rescue(
    guest: GuestRef,
    options: { readonly rescueImageId?: string; readonly adminPassword?: string },
  ): Promise<void>
  /** Back to the guest's own disk, RUNNING. GuestInvalidState when it is not rescued. */
  unrescue(guest: GuestRef): Promise<void>
}

export const supportsResize = (d: HypervisorDriver): d is HypervisorDriver & ResizeCapable =>
  d.capabilities.resize && typeof (d as Partial<ResizeCapable>).migrateDiskAndPowerOff === 'function'

export const supportsRescue = (d: HypervisorDriver): d is HypervisorDriver & RescueCapable =>
  d.capabilities.rescue && typeof (d as Partial<RescueCapable>).rescue === 'function'

/** Where a live migration goes and how (Nova's migrate_data, as named fields). */
export interface LiveMigrationRequest {
  readonly destinationHost: string
  /** Driver-specific address of the destination's listener (e.g. a QMP migration socket). */
  readonly destinationUri: string
  readonly blockMigration: boolean
}

/** Optional: changePassword (capabilities.setAdminPassword): sets the password inside a RUNNING guest. */
export interface AdminPasswordCapable {
  /** GuestInvalidState unless RUNNING. */
  setAdminPassword(guest: GuestRef, password: string): Promise<void>
}

/** Optional: trigger_crash_dump (capabilities.triggerCrashDump): injects an NMI so the guest OS dumps its memory. */
export interface CrashDumpCapable {
  /** GuestInvalidState unless RUNNING or PAUSED. */
  triggerCrashDump(guest: GuestRef): Promise<void>
}

/** Optional: os-migrateLive (capabilities.liveMigration). */
export interface LiveMigrationCapable {
  /** On the destination: prepare to receive the guest; returns the URI the source sends to. */
  preLiveMigration(instance: InstanceSpec, blockMigration: boolean): Promise<{ readonly uri: string }>
  /** On the source: moves the running guest; resolves when it runs on the destination and is gone here. */
  liveMigration(guest: GuestRef, request: LiveMigrationRequest, signal: AbortSignal): Promise<void>
  /** On the destination after success: the guest is now this host's. */
  postLiveMigrationAtDestination(guest: GuestRef): Promise<void>
  /** On the destination after failure: removes what preLiveMigration created. */
  rollbackLiveMigrationAtDestination(guest: GuestRef): Promise<void>
}

export const supportsSnapshot = (d: HypervisorDriver): d is HypervisorDriver & SnapshotCapable =>
  d.capabilities.snapshot && typeof (d as Partial<SnapshotCapable>).snapshot === 'function'

export const supportsLiveMigration = (d: HypervisorDriver): d is HypervisorDriver & LiveMigrationCapable =>
  d.capabilities.liveMigration &&
  typeof (d as Partial<LiveMigrationCapable>).liveMigration === 'function' &&
  typeof (d as Partial<LiveMigrationCapable>).preLiveMigration === 'function'

export const supportsSetAdminPassword = (d: HypervisorDriver): d is HypervisorDriver & AdminPasswordCapable =>
  d.capabilities.setAdminPassword &&
  typeof (d as Partial<AdminPasswordCapable>).setAdminPassword === 'function'

export const supportsTriggerCrashDump = (d: HypervisorDriver): d is HypervisorDriver & CrashDumpCapable =>
  d.capabilities.triggerCrashDump && typeof (d as Partial<CrashDumpCapable>).triggerCrashDump === 'function'

/** Optional: the standard diagnostics of 2.48 (capabilities.instanceDiagnostics). */
export interface DiagnosticsCapable {
  /** GuestNotFound for an unknown guest. */
  getInstanceDiagnostics(guest: GuestRef): Promise<InstanceDiagnostics>
}

/** Optional: the host's uptime for os-hypervisors (capabilities.hostUptime), as the `uptime` command prints it. */
export interface HostUptimeCapable {
  getHostUptime(): Promise<string>
}

export const supportsInstanceDiagnostics = (
  d: HypervisorDriver,
): d is HypervisorDriver & DiagnosticsCapable =>
  d.capabilities.instanceDiagnostics &&
  typeof (d as Partial<DiagnosticsCapable>).getInstanceDiagnostics === 'function'

export const supportsHostUptime = (d: HypervisorDriver): d is HypervisorDriver & HostUptimeCapable =>
  d.capabilities.hostUptime && typeof (d as Partial<HostUptimeCapable>).getHostUptime === 'function'

/** How the image cache manager treats cached images no guest uses (Nova's `[image_cache]` options). */
export interface ImageCacheSettings {
  /** remove_unused_base_images: unused images past the age are removed (else only reported). */
  readonly removeUnusedBaseImages: boolean
  /** remove_unused_original_minimum_age_seconds: seconds since an image's last use before it may go. */
  readonly minimumAgeS: number
}

/** What one pass found: cached files (their names in the cache) in use, removed, and kept unused. */
export interface ImageCacheReport {
  readonly inUse: readonly string[]
  readonly removed: readonly string[]
  readonly kept: readonly string[]
}

/** Optional: the periodic aging of the driver's image cache (capabilities.hasImageCache; Nova's manage_image_cache). */
export interface ImageCacheCapable {
  manageImageCache(settings: ImageCacheSettings): Promise<ImageCacheReport>
}

export const supportsImageCache = (d: HypervisorDriver): d is HypervisorDriver & ImageCacheCapable =>
  d.capabilities.hasImageCache && typeof (d as Partial<ImageCacheCapable>).manageImageCache === 'function'

/** Nova's integer version: '1.2.3' → 1002003 (versionutils.convert_version_to_int). */
export function versionToInt(version: string): number {
  return version
    .split('.')
    .slice(0, 3)
    .reduce((acc, part) => acc * 1000 + (Number.parseInt(part, 10) || 0), 0)
}
