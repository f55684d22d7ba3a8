import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, rename, rm, statfs } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { DEFAULT_CAPABILITIES, type DriverCapabilities } from '../../driver/capabilities.js'
import {
  versionToInt,
  type GuestDiagnostics,
  type GuestInfo,
  type GuestRef,
  type HostResources,
  type HypervisorDriver,
  type ImageCacheReport,
  type ImageCacheSettings,
  type SpawnRequest,
} from '../../driver/driver.js'
import { GuestExists, GuestInvalidState, SpawnFailed } from '../../driver/errors.js'
import { PowerState, powerStateName } from '../../driver/power-state.js'
import { chooseAccelerator, probeHost } from './accel.js'
import { guestPaths, MAX_SOCKET_PATH, shellQuote, type Accelerator, type GuestPaths } from './argv.js'
import { isQemuAlive, readPidfile, waitForExit } from './guest-process.js'
import { readGuestRecord, RECORD_FILE, SUSPENDED_STATE_FILE, type GuestRecord } from './guest-record.js'
import { createGuestFiles } from './guest-files.js'
import { ImageCache, type ImageFetcher } from './image-cache.js'
import { ageImageCache } from './image-cache-manager.js'
import { QemuGuests, type Guest } from './guests.js'
import type {
  GuestFlavor,
  ImageMeta,
  MigrationDiskTarget,
  ResizeCapable,
  SnapshotImage,
} from '../../driver/driver.js'
import type { QemuMoveHost } from './move-host.js'
import * as coldMigration from './resize.js'
import { rescueGuest, unrescueGuest } from './rescue.js'
import { snapshotGuest } from './snapshot.js'
import type {
  InstanceSpec,
  LiveMigrationCapable,
  LiveMigrationControl,
  LiveMigrationDestinationCheck,
  LiveMigrationPlan,
  LiveMigrationRequest,
} from '../../driver/driver.js'
import { QemuLiveMigrations } from './live-migration.js'
import { isIncoming } from './incoming-migration.js'
import { addConfigDrive, type ConfigDriveOptions } from './config-drive.js'

const run = promisify(execFile)

/** Nova's libvirt driver keeps at most this much of the console log (MAX_CONSOLE_BYTES). */
const MAX_CONSOLE_BYTES = 100 * 1024

export interface QemuDriverOptions {
  /** `[DEFAULT] instances_path`: guests under `<it>/<uuid>/`, the image cache under `<it>/_base/`. */
  readonly instancesPath: string
  /** `[libvirt] virt_type`: kvm, qemu (TCG) or auto. */
  readonly virtType: string
  /** Downloads images into the cache (the image service client's downloadTo). */
  readonly fetchImage: ImageFetcher
  /** `[image_cache] subdirectory_name`: the image cache's folder under instancesPath (default `_base`). */
  readonly imageCacheSubdirectory?: string
  readonly nodename?: string
  readonly qemuBinary?: string
  readonly qemuImgBinary?: string
  /** How long a soft reboot waits for the guest to shut down before a hard one (wait_soft_reboot_seconds). */
  readonly softRebootWaitS?: number
  /** How long QEMU may take to answer on QMP after it was started. */
  readonly launchTimeoutMs?: number
  /** `[libvirt] live_migration_bandwidth`: MiB/s a live migration may use; 0 or absent: unlimited. */
  readonly liveMigrationBandwidthMiBs?: number
  /** How config drives are made (mkisofs_cmd, dhcp_domain, config_drive_skip_versions). */
  readonly configDrive?: ConfigDriveOptions
  /** `[DEFAULT] default_ephemeral_format`: filesystem of new ephemeral disks (unset: by os_type). */
  readonly ephemeralFormat?: string
}

/** The QEMU driver's capabilities: kernel+ramdisk (AKI/ARI/AMI), qcow2 and raw images; no optional operation yet. */
export const QEMU_CAPABILITIES: DriverCapabilities = {
  ...DEFAULT_CAPABILITIES,
  hasImageCache: true,
  supportsEvacuate: true,
  imageTypes: ['aki', 'ami', 'ari', 'qcow2', 'raw'],
  snapshot: true,
  resize: true,
  rescue: true,
  liveMigration: true,
}

/**
 * The QEMU hypervisor driver (`compute_driver = qemu.QemuDriver`): one `qemu-system-x86_64` process per running
 * guest, driven over QMP, with its files under `instances_path/<uuid>/` (qcow2 overlay on the cached image,
 * console log, sockets, pidfile, guest.json). Guests outlive nova-compute: initHost re-adopts them from their
 * pidfiles and QMP sockets. A stopped guest has no process; a suspended one has its saved state file.
 */
export class QemuDriver implements HypervisorDriver, LiveMigrationCapable {
  readonly type = 'qemu'
  readonly capabilities = QEMU_CAPABILITIES
  readonly #options: QemuDriverOptions
  readonly #g: QemuGuests
  readonly #cache: ImageCache
  readonly #qemu: string
  readonly #qemuImg: string
  #version = '0.0.0'
  #nodename: string | undefined
  readonly #live: QemuLiveMigrations

  constructor(options: QemuDriverOptions) {
    this.#options = options
    this.#nodename = options.nodename
    this.#qemu = options.qemuBinary ?? 'qemu-system-x86_64'
    this.#qemuImg = options.qemuImgBinary ?? 'qemu-img'
    this.#g = new QemuGuests(this.#qemu, options.launchTimeoutMs ?? 30_000)
    const cacheDir = path.join(options.instancesPath, options.imageCacheSubdirectory ?? '_base')
    this.#cache = new ImageCache(cacheDir, options.fetchImage)
    this.#live = new QemuLiveMigrations(
      {
        guests: this.#g,
        instancesPath: options.instancesPath,
        cache: this.#cache,
        qemuImg: this.#qemuImg,
        host: () => this.#nodename,
        ...(options.configDrive === undefined ? {} : { configDrive: options.configDrive }),
      },
      { bandwidthMiBs: options.liveMigrationBandwidthMiBs ?? 0 },
    )
  }

  /** The accelerator guests run with (decided by initHost). */
  get accelerator(): Accelerator {
    return this.#g.accel
  }

  /** The pid of a guest's QEMU, when it runs. */
  pidOf(uuid: string): number | undefined {
    return this.#g.find(uuid)?.pid
  }

  /** The files of a guest (whether or not it exists). */
  pathsOf(uuid: string): GuestPaths {
    return guestPaths(this.#options.instancesPath, uuid)
  }

  async initHost(host: string): Promise<void> {
    this.#nodename ??= host
    const { stdout } = await run(this.#qemu, ['--version']).catch((error: Error) => {
      throw new Error(
        `the QEMU driver needs ${this.#qemu} (apt-get install qemu-system-x86 qemu-utils): ${error.message}`,
      )
    })
    this.#version = /version (\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? '0.0.0'
    await run(this.#qemuImg, ['--version'])
    this.#g.accel = chooseAccelerator(this.#options.virtType, await probeHost())
    await mkdir(this.#options.instancesPath, { recursive: true })
    for (const entry of await readdir(this.#options.instancesPath, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === '_base' || this.#g.has(entry.name)) continue
      const paths = this.pathsOf(entry.name)
      const record = await readGuestRecord(path.join(paths.dir, RECORD_FILE))
      if (record === undefined || record.uuid !== entry.name) continue
      // Another host's guest in a shared instances path.
      if (record.host !== undefined && record.host !== this.#nodename) continue
      // A guest arriving by live migration when nova-compute stopped: the migration's rollback removes it.
      if (await isIncoming(paths.dir)) continue
      const pid = await readPidfile(paths.pidfile)
      const alive = pid !== undefined && (await isQemuAlive(pid, record.uuid))
      this.#g.add({ record, paths, pid: alive ? pid : undefined, qmp: undefined })
    }
  }

  async cleanupHost(): Promise<void> {
    for (const guest of this.#g.all()) {
      guest.qmp?.close()
      guest.qmp = undefined
    }
    this.#live.closeMonitors()
  }

  nodeNames(): readonly string[] {
    return [this.#nodename ?? 'qemu']
  }

  async listInstanceUuids(): Promise<string[]> {
    return this.#g.uuids()
  }

  async getInfo(ref: GuestRef): Promise<GuestInfo> {
    const guest = this.#g.get(ref)
    return { state: await this.#g.state(guest), internalId: guest.record.name }
  }

  async spawn(request: SpawnRequest): Promise<void> {
    const { instance, image } = request
    if (this.#g.has(instance.uuid)) throw new GuestExists(instance.name)
    const paths = this.pathsOf(instance.uuid)
    const longest = Math.max(paths.qmp.length, paths.serial.length, paths.vnc.length)
    if (longest > MAX_SOCKET_PATH)
      throw new SpawnFailed(instance.uuid, `instances_path is too long for unix sockets (${longest} bytes)`)
    await this.#g.locked(instance.uuid, async () => {
      // Checked again under the lock: of two concurrent spawns, the second finds the first's guest.
      if (this.#g.has(instance.uuid)) throw new GuestExists(instance.name)
      // A directory of a guest this driver does not know (not its own files to remove on failure).
      await mkdir(this.#options.instancesPath, { recursive: true })
      await mkdir(paths.dir).catch((error: NodeJS.ErrnoException) => {
        throw error.code === 'EEXIST' ? new GuestExists(instance.name) : error
      })
      try {
        const record = await createGuestFiles({
          instance,
          image,
          paths,
          cache: this.#cache,
          qemuImg: this.#qemuImg,
          host: this.#nodename,
          ...(this.#options.ephemeralFormat === undefined
            ? {}
            : { ephemeralFormat: this.#options.ephemeralFormat }),
        })
        const withDrive = await addConfigDrive(request, paths, record, this.#options.configDrive)
        const guest: Guest = { record: withDrive, paths, pid: undefined, qmp: undefined }
        if (request.powerOn ?? true) await this.#g.start(guest)
        this.#g.add(guest)
      } catch (error) {
        await this.#g.remove(instance.uuid, paths).catch(() => undefined)
        if (error instanceof SpawnFailed || error instanceof GuestExists) throw error
        throw new SpawnFailed(instance.uuid, (error as Error).message)
      }
    })
  }

  async destroy(ref: GuestRef, options: { readonly keepDisks?: boolean } = {}): Promise<void> {
    await this.#g.locked(ref.uuid, async () => {
      const guest = this.#g.find(ref.uuid)
      const paths = guest?.paths ?? this.pathsOf(ref.uuid)
      if (guest !== undefined) await this.#g.stopProcess(guest)
      else {
        // A guest this driver never adopted (e.g. a half-created one): kill what its pidfile names.
        const pid = await readPidfile(paths.pidfile)
        if (pid !== undefined && (await isQemuAlive(pid, ref.uuid))) {
          process.kill(pid, 'SIGKILL')
          await waitForExit(pid, ref.uuid, 5000)
        }
      }
      await this.#g.remove(ref.uuid, paths, options.keepDisks)
    })
  }

  async reboot(ref: GuestRef, kind: 'SOFT' | 'HARD'): Promise<void> {
    await this.#g.locked(ref.uuid, async () => {
      const guest = this.#g.get(ref)
      const state = await this.#g.state(guest)
      if (kind === 'SOFT') {
        if (state !== PowerState.RUNNING)
          throw new GuestInvalidState(ref.uuid, 'reboot', powerStateName(state))
        // A clean shutdown first; then, as Nova's libvirt driver re-creates the domain once the guest is down, a
        // new QEMU (a system_reset of the powered-off QEMU boots it about 3 times slower under TCG: bench qemu).
        await this.#g.acpiShutdown(guest, (this.#options.softRebootWaitS ?? 120) * 1000, 2000)
      }
      // HARD, the rest of a SOFT one, or a soft reboot the guest ignored: a new QEMU.
      await this.#g.stopProcess(guest)
      await rm(path.join(guest.paths.dir, SUSPENDED_STATE_FILE), { force: true })
      await this.#g.start(guest)
    })
  }

  async powerOff(
    ref: GuestRef,
    options: { readonly timeoutS?: number; readonly retryIntervalS?: number } = {},
  ): Promise<void> {
    await this.#g.locked(ref.uuid, async () => {
      const guest = this.#g.get(ref)
      if (!(await this.#g.alive(guest))) return
      const timeoutS = options.timeoutS ?? 0
      if (timeoutS > 0 && (await this.#g.state(guest)) === PowerState.RUNNING)
        await this.#g.acpiShutdown(guest, timeoutS * 1000, (options.retryIntervalS ?? 10) * 1000)
      await this.#g.stopProcess(guest)
    })
  }

  async powerOn(ref: GuestRef): Promise<void> {
    await this.#g.locked(ref.uuid, async () => {
      const guest = this.#g.get(ref)
      const state = await this.#g.state(guest)
      if (state === PowerState.RUNNING) return
      if (state !== PowerState.SHUTDOWN && state !== PowerState.CRASHED)
        throw new GuestInvalidState(ref.uuid, 'power on', powerStateName(state))
      await this.#g.stopProcess(guest)
      await this.#g.start(guest)
    })
  }

  async #transition(ref: GuestRef, operation: string, from: PowerState, command: string): Promise<void> {
    await this.#g.locked(ref.uuid, async () => {
      const guest = this.#g.get(ref)
      const state = await this.#g.state(guest)
      if (state !== from) throw new GuestInvalidState(ref.uuid, operation, powerStateName(state))
      await (await this.#g.monitor(guest)).execute(command)
    })
  }

  pause(ref: GuestRef): Promise<void> {
    return this.#transition(ref, 'pause', PowerState.RUNNING, 'stop')
  }

  unpause(ref: GuestRef): Promise<void> {
    return this.#transition(ref, 'unpause', PowerState.PAUSED, 'cont')
  }

  /** Saves the guest's state to `suspended.state` (QMP migrate to a file) and stops its QEMU. */
  async suspend(ref: GuestRef): Promise<void> {
    await this.#g.locked(ref.uuid, async () => {
      const guest = this.#g.get(ref)
      const state = await this.#g.state(guest)
      if (state !== PowerState.RUNNING && state !== PowerState.PAUSED)
        throw new GuestInvalidState(ref.uuid, 'suspend', powerStateName(state))
      const file = path.join(guest.paths.dir, SUSPENDED_STATE_FILE)
      const partial = `${file}.part`
      const qmp = await this.#g.monitor(guest)
      await qmp.execute('stop')
      await qmp.execute('migrate', { uri: `exec:cat > ${shellQuote(partial)}` })
      const deadline = Date.now() + 120_000
      for (;;) {
        const { status } = await qmp.execute<{ status?: string }>('query-migrate')
        if (status === 'completed') break
        if (status === 'failed' || status === 'cancelled' || Date.now() > deadline) {
          await qmp.execute('cont').catch(() => undefined)
          await rm(partial, { force: true })
          throw new Error(`saving the state of ${ref.uuid} failed (${status ?? 'timeout'})`)
        }
        await sleep(50)
      }
      await this.#g.stopProcess(guest)
      await rename(partial, file)
    })
  }

  /** Starts the guest from its saved state and removes the state file. */
  async resume(ref: GuestRef): Promise<void> {
    await this.#g.locked(ref.uuid, async () => {
      const guest = this.#g.get(ref)
      const state = await this.#g.state(guest)
      if (state !== PowerState.SUSPENDED)
        throw new GuestInvalidState(ref.uuid, 'resume', powerStateName(state))
      const file = path.join(guest.paths.dir, SUSPENDED_STATE_FILE)
      await this.#g.start(guest, file)
      await rm(file, { force: true })
    })
  }

  /** The tail (100 KiB, as Nova's libvirt driver) of the serial console log. */
  async getConsoleOutput(ref: GuestRef): Promise<string> {
    const guest = this.#g.get(ref)
    const log = await readFile(guest.paths.consoleLog).catch(() => Buffer.alloc(0))
    return log.subarray(Math.max(0, log.length - MAX_CONSOLE_BYTES)).toString('utf8')
  }

  async getDiagnostics(ref: GuestRef): Promise<GuestDiagnostics> {
    const guest = this.#g.get(ref)
    let cpuTimeNs = 0
    if (guest.pid !== undefined) {
      const stat = await readFile(`/proc/${guest.pid}/stat`, 'utf8').catch(() => '')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // utime + stime (fields 14 and 15, counted from 1), in clock ticks of 10 ms.
      cpuTimeNs = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10_000_000
    }
    return { cpu0_time: cpuTimeNs, memory: guest.record.flavor.memoryMb * 1024 }
  }

  /** One pass of the image cache manager over the image cache (image-cache-manager.ts). */
  manageImageCache(settings: ImageCacheSettings): Promise<ImageCacheReport> {
    const instancesPath = this.#options.instancesPath
    return this.#cache.aging((busy) =>
      ageImageCache({ instancesPath, cacheDir: this.#cache.dir, settings, busy }),
    )
  }

  // ---- live migration (live-migration.ts) ----

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

  // ---- snapshot, resize and cold migration, rescue (snapshot.ts, resize.ts, rescue.ts) ----

  get #moves(): QemuMoveHost {
    return {
      guests: this.#g,
      cache: this.#cache,
      qemuImg: this.#qemuImg,
      instancesPath: this.#options.instancesPath,
      host: () => this.#nodename,
    }
  }

  snapshot(
    guest: GuestRef,
    progress: (taskState: 'image_pending_upload' | 'image_uploading') => Promise<void>,
  ): Promise<SnapshotImage> {
    return snapshotGuest(this.#moves, guest, progress)
  }

  prepareMigrationTarget(guest: GuestRef): Promise<MigrationDiskTarget> {
    return coldMigration.prepareMigrationTarget(this.#moves, guest)
  }

  migrateDiskAndPowerOff(
    guest: GuestRef,
    _destinationHost: string,
    flavor: GuestFlavor,
    options?: Parameters<ResizeCapable['migrateDiskAndPowerOff']>[3],
  ): Promise<void> {
    return coldMigration.migrateDiskAndPowerOff(this.#moves, guest, flavor, options)
  }

  finishMigration(request: SpawnRequest): Promise<void> {
    return coldMigration.finishMigration(this.#moves, request)
  }

  confirmMigration(guest: GuestRef): Promise<void> {
    return coldMigration.confirmMigration(this.#moves, guest)
  }

  finishRevertMigration(request: SpawnRequest): Promise<void> {
    return coldMigration.finishRevertMigration(this.#moves, request)
  }

  rescue(
    guest: GuestRef,
    options: { readonly rescueImageId?: string; readonly adminPassword?: string; readonly image?: ImageMeta },
  ): Promise<void> {
    return rescueGuest(this.#moves, guest, options)
  }

  unrescue(guest: GuestRef): Promise<void> {
    return unrescueGuest(this.#moves, guest)
  }

  async getAvailableResource(nodename: string): Promise<HostResources> {
    const guests = this.#g.all().map((g) => g.record.flavor)
    const sum = (f: (flavor: GuestRecord['flavor']) => number) => guests.reduce((acc, g) => acc + f(g), 0)
    const fs = await statfs(this.#options.instancesPath)
    const gib = 1024 ** 3
    const hypervisorType = this.#g.accel === 'kvm' ? 'kvm' : 'qemu'
    return {
      vcpus: cpus().length,
      memoryMb: Math.floor(totalmem() / 1024 / 1024),
      localGb: Math.floor((fs.blocks * fs.bsize) / gib),
      vcpusUsed: sum((f) => f.vcpus),
      memoryMbUsed: sum((f) => f.memoryMb),
      localGbUsed: sum((f) => f.rootGb + f.ephemeralGb + Math.ceil(f.swapMb / 1024)),
      hypervisorType: 'QEMU',
      hypervisorVersion: versionToInt(this.#version),
      hypervisorHostname: nodename,
      cpuInfo: { arch: 'x86_64', model: cpus()[0]?.model ?? 'unknown', topology: { cores: cpus().length } },
      supportedInstances: [['x86_64', hypervisorType, 'hvm']],
      diskAvailableLeast: Math.floor((fs.bavail * fs.bsize) / gib),
      runningVms: guests.length,
    }
  }
}
