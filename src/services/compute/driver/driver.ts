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
  /** Attach a config drive (the instance asked for one, `[DEFAULT] force_config_drive`, or the image needs one). */
  readonly configDrive?: boolean
  // For the guest's metadata (meta_data.json, the EC2 tree):
  /** The instance's integer id (instances.id), from which EC2 ids come. */
  readonly internalId?: number
  /** The position of the instance in its multiple-create request (launch_index). */
  readonly launchIndex?: number
  readonly availabilityZone?: string
  readonly reservationId?: string
  /** The key pair the instance was created with (key_name, key_data). */
  readonly keyPair?: { readonly name: string; readonly publicKey: string }
  readonly flavorName?: string
  readonly rootDeviceName?: string
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
   * On the destination, before the source moves anything (prep_resize): where the source is to put the guest's
   * disks, in the driver's own terms (QEMU: the destination's instances path and a marker file proving the source
   * reaches it). Plain JSON: it goes to the source with resize_instance. Optional; without it the source assumes
   * the destination keeps its files where the source does (Nova's assumption of one instances_path everywhere).
   */
  prepareMigrationTarget?(guest: GuestRef): Promise<MigrationDiskTarget>
  /**
   * On the source: powers the guest off (with `timeoutS` > 0 asking the guest first, as powerOff) and hands its
   * disks over to `destinationHost` (which may be this host), at `target` when the destination named one. The
   * source keeps what it needs to bring the guest back (finishRevertMigration) until confirmMigration.
   */
  migrateDiskAndPowerOff(
    guest: GuestRef,
    destinationHost: string,
    flavor: GuestFlavor,
    options?: {
      readonly target?: MigrationDiskTarget
      readonly timeoutS?: number
      readonly retryIntervalS?: number
    },
  ): Promise<void>
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
   * RUNNING when this resolves. GuestInvalidState when it is already rescued. `image` is the rescue image's
   * metadata (id and properties, e.g. kernel_id for an AMI), as the compute manager found it.
   */
  rescue(
    guest: GuestRef,
    options: {
      readonly rescueImageId?: string
      readonly adminPassword?: string
      readonly image?: ImageMeta
    },
  ): Promise<void>
  /** Back to the guest's own disk, RUNNING. GuestInvalidState when it is not rescued. */
  unrescue(guest: GuestRef): Promise<void>
}

/** Where a cold migration's disks go, as the destination's driver names it (driver-specific, plain JSON). */
export type MigrationDiskTarget = Readonly<Record<string, string>>

export const supportsResize = (d: HypervisorDriver): d is HypervisorDriver & ResizeCapable =>
  d.capabilities.resize && typeof (d as Partial<ResizeCapable>).migrateDiskAndPowerOff === 'function'

export const supportsRescue = (d: HypervisorDriver): d is HypervisorDriver & RescueCapable =>
  d.capabilities.rescue && typeof (d as Partial<RescueCapable>).rescue === 'function'

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

/**
 * Progress of a live migration in bytes (Nova's migration memory_total/processed/remaining and
 * disk_total/processed/remaining, shown by os-migrations and server migrations). Disk figures are 0 when no disk
 * is copied (shared instances path, or a migration that has not started copying yet).
 */
export interface LiveMigrationProgress {
  readonly memoryTotal: number
  readonly memoryProcessed: number
  readonly memoryRemaining: number
  readonly diskTotal: number
  readonly diskProcessed: number
  readonly diskRemaining: number
}

/**
 * What the destination's check found (Nova's check_can_live_migrate_destination → migrate_data). It travels to the
 * source through the conductor, so it is plain JSON.
 */
export interface LiveMigrationDestinationCheck {
  /** The destination's host name. */
  readonly host: string
  /**
   * Name of a marker the destination left in its instances path: the source looks for it in its own instances path
   * to learn whether the two share it (Nova's check_instance_shared_storage file).
   */
  readonly sharedStorageMarker: string
  /** Free local disk of the destination in MiB, for the source's block-migration check; absent when unknown. */
  readonly diskAvailableMb?: number
  /** The caller's block_migration: true, false, or 'auto' (the source decides from the storage). */
  readonly blockMigration: boolean | 'auto'
  /** disk_over_commit (API before 2.25): a block migration may take more than diskAvailableMb. */
  readonly diskOverCommit: boolean
}

/** The settled decision (the source's check): what both sides do from then on. Plain JSON. */
export interface LiveMigrationPlan {
  /** The guest's local disks are copied to the destination along with its memory. */
  readonly blockMigration: boolean
  /**
   * Source and destination share the instances path: the destination must not create the guest's disks (they are
   * there) and the source must not delete them after the migration.
   */
  readonly sharedInstancePath: boolean
}

/** Where a live migration goes and how (Nova's migrate_data, as named fields). Plain JSON. */
export interface LiveMigrationRequest {
  readonly destinationHost: string
  /** Driver-specific address of the destination's listener, as preLiveMigration returned it. */
  readonly destinationUri: string
  readonly plan: LiveMigrationPlan
}

/** How the compute manager follows and steers a running liveMigration. */
export interface LiveMigrationControl {
  /**
   * Aborted by the operator's DELETE of the migration (Nova's live_migration_abort): the driver cancels the
   * transfer; the guest keeps running on the source as it was, and liveMigration rejects with LiveMigrationAborted.
   */
  readonly signal: AbortSignal
  /**
   * Called with fresh figures whenever the driver has them (at least once, after the transfer started). The
   * driver does not wait for it; the manager throttles what it writes to the migration record.
   */
  readonly onProgress: (progress: LiveMigrationProgress) => void
}

/**
 * Optional: os-migrateLive (capabilities.liveMigration). The compute manager calls, in this order, on the two
 * hosts (src = the instance's host, dst = the target):
 *   1. dst checkCanLiveMigrateDestination → 2. src checkCanLiveMigrateSource → 3. dst
 *   cleanupLiveMigrationDestinationCheck (always, whatever 2 gave) → 4. dst preLiveMigration → 5. src
 *   liveMigration (meanwhile src forceCompleteLiveMigration and the abort signal) → on success 6. src
 *   postLiveMigrationAtSource and 7. dst postLiveMigrationAtDestination; when 4 or 5 fail (or are aborted):
 *   dst rollbackLiveMigrationAtDestination, and the guest stays on the source as it was.
 * Only RUNNING or PAUSED guests are migrated. All data crossing between the hosts is plain JSON (it goes over the
 * bus). Errors for the API: MigrationPreCheckError, InvalidSharedStorage, InvalidLocalStorage (steps 1–2).
 */
export interface LiveMigrationCapable {
  /**
   * On the destination: can this host take the guest (hypervisor, CPU, free disk for a block migration unless
   * diskOverCommit)? Leaves a marker in its instances path for the source's shared-storage test (removed by
   * cleanupLiveMigrationDestinationCheck). MigrationPreCheckError when it cannot.
   */
  checkCanLiveMigrateDestination(
    instance: InstanceSpec,
    options: { readonly blockMigration: boolean | 'auto'; readonly diskOverCommit: boolean },
  ): Promise<LiveMigrationDestinationCheck>
  /**
   * On the source: settles the plan. sharedInstancePath = the destination's marker is visible here; blockMigration
   * 'auto' → !sharedInstancePath. InvalidSharedStorage when blockMigration is false but the path is not shared;
   * InvalidLocalStorage when it is true but the path is shared; MigrationPreCheckError when a block migration's
   * disks do not fit diskAvailableMb (unless diskOverCommit); GuestNotFound for an unknown guest;
   * GuestInvalidState unless RUNNING or PAUSED.
   */
  checkCanLiveMigrateSource(
    guest: GuestRef,
    destination: LiveMigrationDestinationCheck,
  ): Promise<LiveMigrationPlan>
  /** On the destination after the source's check, whatever its outcome: removes the marker. Idempotent. */
  cleanupLiveMigrationDestinationCheck(destination: LiveMigrationDestinationCheck): Promise<void>
  /**
   * On the destination: prepares to receive the guest: its instance directory, its disks unless the path is
   * shared (empty targets for a block migration, backed by the image from `request.image` where the driver needs
   * a base), and a listener, e.g. an incoming guest not yet running. Returns the URI the source sends to.
   * Not listed by listInstanceUuids until postLiveMigrationAtDestination.
   */
  preLiveMigration(request: SpawnRequest, plan: LiveMigrationPlan): Promise<{ readonly uri: string }>
  /**
   * On the source: moves the running (or paused) guest's memory, and its disks for a block migration, to the
   * destination, reporting progress. Resolves once the destination holds the whole guest and it no longer runs
   * here (what is left here — process, files — goes in postLiveMigrationAtSource). Rejects with
   * LiveMigrationAborted when `control.signal` aborts, with any other error when the transfer fails; in both cases
   * the guest still runs here in its earlier power state (a force-complete pause is undone).
   */
  liveMigration(guest: GuestRef, request: LiveMigrationRequest, control: LiveMigrationControl): Promise<void>
  /**
   * On the source while liveMigration runs (Nova's live_migration_force_complete): makes the migration converge
   * now, e.g. by pausing the guest's vCPUs so no memory gets dirty (QEMU); the guest runs again on the destination.
   * GuestInvalidState when no live migration of the guest is in progress here.
   */
  forceCompleteLiveMigration(guest: GuestRef): Promise<void>
  /**
   * On the source after success: removes what is left of the guest here (stopped process, sockets; its disks and
   * instance directory unless plan.sharedInstancePath). Afterwards the guest is not listed here. Idempotent.
   */
  postLiveMigrationAtSource(guest: GuestRef, plan: LiveMigrationPlan): Promise<void>
  /**
   * On the destination after success: the guest is this host's, listed, RUNNING — or PAUSED when `paused` (it
   * was paused before the migration started).
   */
  postLiveMigrationAtDestination(
    guest: GuestRef,
    options: { readonly plan: LiveMigrationPlan; readonly paused: boolean },
  ): Promise<void>
  /**
   * On the destination after a failed or aborted migration: removes what preLiveMigration created (the listener;
   * the disks unless plan.sharedInstancePath). Idempotent, also when preLiveMigration never ran.
   */
  rollbackLiveMigrationAtDestination(guest: GuestRef, plan: LiveMigrationPlan): Promise<void>
}

export const supportsSnapshot = (d: HypervisorDriver): d is HypervisorDriver & SnapshotCapable =>
  d.capabilities.snapshot && typeof (d as Partial<SnapshotCapable>).snapshot === 'function'

export const supportsLiveMigration = (d: HypervisorDriver): d is HypervisorDriver & LiveMigrationCapable =>
  d.capabilities.liveMigration &&
  typeof (d as Partial<LiveMigrationCapable>).liveMigration === 'function' &&
  typeof (d as Partial<LiveMigrationCapable>).preLiveMigration === 'function' &&
  typeof (d as Partial<LiveMigrationCapable>).checkCanLiveMigrateSource === 'function'

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
