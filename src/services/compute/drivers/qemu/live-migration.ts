import { randomUUID } from 'node:crypto'
import { mkdir, rm, stat, statfs, writeFile } from 'node:fs/promises'
import path from 'node:path'
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
  LiveMigrationRequest,
  SpawnRequest,
} from '../../driver/driver.js'
import { GuestInvalidState } from '../../driver/errors.js'
import { PowerState, powerStateName } from '../../driver/power-state.js'
import type { QmpClient } from './qmp-client.js'
import { IncomingMigrations, nbdSocket, type MigrationHost } from './incoming-migration.js'
import { TransferAborted, transferGuest, writableDisks } from './migration-transfer.js'

/** The bandwidth cap when none is configured: as good as none (both QEMUs are on this host, or close). */
const UNLIMITED_BANDWIDTH = 10_000_000_000

/** A shared-storage marker's name: a plain file name, nothing that leaves the instances path. */
const MARKER = /^\.livemig-[0-9a-f-]{36}$/

export interface LiveMigrationSettings {
  /** `[libvirt] live_migration_bandwidth` in MiB/s; 0 or absent: unlimited. */
  readonly bandwidthMiBs?: number
}

/**
 * The QEMU driver's live migration (LiveMigrationCapable): the prechecks (a marker file in the destination's
 * instances path tells the source whether the two share it), the source side (QMP migrate, with an NBD disk
 * mirror for a block migration: migration-transfer.ts), force-complete by pausing the guest, and the
 * destination side (incoming-migration.ts).
 */
export class QemuLiveMigrations {
  readonly #host: MigrationHost
  readonly #settings: LiveMigrationSettings
  readonly #incoming: IncomingMigrations
  /** Source side: migrations in progress, with their monitor and whether force-complete paused the guest. */
  readonly #running = new Map<string, { readonly qmp: QmpClient; forced: boolean }>()

  constructor(host: MigrationHost, settings: LiveMigrationSettings = {}) {
    this.#host = host
    this.#settings = settings
    this.#incoming = new IncomingMigrations(host)
  }

  /** Closes the monitors of the guests still arriving here (nova-compute stops). */
  closeMonitors(): void {
    this.#incoming.closeMonitors()
  }

  #hostName(): string {
    return this.#host.host() ?? 'qemu'
  }

  async checkCanLiveMigrateDestination(
    instance: InstanceSpec,
    options: { readonly blockMigration: boolean | 'auto'; readonly diskOverCommit: boolean },
  ): Promise<LiveMigrationDestinationCheck> {
    if (this.#host.guests.has(instance.uuid) || this.#incoming.has(instance.uuid))
      throw new MigrationPreCheckError({
        reason: `Instance ${instance.uuid} already exists on ${this.#hostName()}.`,
      })
    await mkdir(this.#host.instancesPath, { recursive: true })
    const marker = `.livemig-${randomUUID()}`
    await writeFile(path.join(this.#host.instancesPath, marker), `${this.#hostName()}\n`)
    const fs = await statfs(this.#host.instancesPath)
    return {
      host: this.#hostName(),
      sharedStorageMarker: marker,
      diskAvailableMb: Math.floor((fs.bavail * fs.bsize) / 1024 / 1024),
      blockMigration: options.blockMigration,
      diskOverCommit: options.diskOverCommit,
    }
  }

  async checkCanLiveMigrateSource(
    ref: GuestRef,
    destination: LiveMigrationDestinationCheck,
  ): Promise<LiveMigrationPlan> {
    const { guests } = this.#host
    const guest = guests.get(ref)
    const state = await guests.state(guest)
    if (state !== PowerState.RUNNING && state !== PowerState.PAUSED)
      throw new GuestInvalidState(ref.uuid, 'live migrate', powerStateName(state))
    const markerFile = this.#markerFile(destination.sharedStorageMarker)
    const shared = await stat(markerFile).then(
      (s) => s.isFile(),
      () => false,
    )
    const block = destination.blockMigration === 'auto' ? !shared : destination.blockMigration
    const where = this.#hostName()
    if (block && shared)
      throw new InvalidLocalStorage({
        path: where,
        reason: 'Block migration can not be used with shared storage.',
      })
    if (!block && !shared)
      throw new InvalidSharedStorage({
        path: where,
        reason:
          'Shared storage live-migration requires either shared storage or boot-from-volume with no local disks.',
      })
    const f = guest.record.flavor
    const needMb = (f.rootGb + f.ephemeralGb) * 1024 + f.swapMb
    const available = destination.diskAvailableMb
    if (block && !destination.diskOverCommit && available !== undefined && needMb > available)
      throw new MigrationPreCheckError({
        reason: `Unable to migrate ${ref.uuid}: Disk of instance is too large(available on destination host:${available} < need:${needMb})`,
      })
    return { blockMigration: block, sharedInstancePath: shared }
  }

  async cleanupLiveMigrationDestinationCheck(destination: LiveMigrationDestinationCheck): Promise<void> {
    await rm(this.#markerFile(destination.sharedStorageMarker), { force: true })
  }

  #markerFile(marker: string): string {
    if (!MARKER.test(marker))
      throw new MigrationPreCheckError({ reason: `bad shared storage marker ${marker}` })
    return path.join(this.#host.instancesPath, marker)
  }

  preLiveMigration(request: SpawnRequest, plan: LiveMigrationPlan): Promise<{ readonly uri: string }> {
    return this.#incoming.prepare(request, plan)
  }

  /**
   * Sends the guest to the destination's waiting QEMU. Resolves when the destination has it (this QEMU is left in
   * `postmigrate`, its vCPUs stopped, until postLiveMigrationAtSource); on abort or failure the guest runs here
   * as before (a force-complete pause undone).
   */
  async liveMigration(
    ref: GuestRef,
    request: LiveMigrationRequest,
    control: LiveMigrationControl,
  ): Promise<void> {
    const { guests } = this.#host
    const uri = request.destinationUri
    if (!uri.startsWith('unix:')) throw new Error(`the QEMU driver cannot migrate to ${uri}`)
    await guests.locked(ref.uuid, async () => {
      const guest = guests.get(ref)
      if (this.#running.has(ref.uuid)) throw new GuestInvalidState(ref.uuid, 'live migrate', 'migrating')
      const state = await guests.state(guest)
      if (state !== PowerState.RUNNING && state !== PowerState.PAUSED)
        throw new GuestInvalidState(ref.uuid, 'live migrate', powerStateName(state))
      const qmp = await guests.monitor(guest)
      const run = { qmp, forced: false }
      this.#running.set(ref.uuid, run)
      const mibs = this.#settings.bandwidthMiBs ?? 0
      try {
        await transferGuest(qmp, {
          uri,
          ...(request.plan.blockMigration
            ? {
                disks: {
                  nbdSocket: nbdSocket(path.dirname(uri.slice(5))),
                  nodes: writableDisks(guests.argvOf(guest)),
                },
              }
            : {}),
          maxBandwidth: mibs > 0 ? mibs * 1024 * 1024 : UNLIMITED_BANDWIDTH,
          signal: control.signal,
          onProgress: control.onProgress,
        })
      } catch (error) {
        if (run.forced && state === PowerState.RUNNING) await qmp.execute('cont').catch(() => undefined)
        if (error instanceof TransferAborted) throw new LiveMigrationAborted({ instanceUuid: ref.uuid })
        throw error
      } finally {
        this.#running.delete(ref.uuid)
      }
    })
  }

  /** Pauses the guest's vCPUs (no more dirty memory): the migration converges; the destination resumes it. */
  async forceCompleteLiveMigration(ref: GuestRef): Promise<void> {
    const run = this.#running.get(ref.uuid)
    if (run === undefined)
      throw new GuestInvalidState(ref.uuid, 'force complete a live migration', 'not migrating')
    run.forced = true
    await run.qmp.execute('stop')
  }

  /** Quits the source QEMU and removes the guest here: its sockets, and its directory unless it is shared. */
  async postLiveMigrationAtSource(ref: GuestRef, plan: LiveMigrationPlan): Promise<void> {
    const { guests } = this.#host
    await guests.locked(ref.uuid, async () => {
      const guest = guests.find(ref.uuid)
      if (guest === undefined) return
      await guests.stopProcess(guest)
      await guests.remove(ref.uuid, guest.paths, plan.sharedInstancePath)
    })
  }

  postLiveMigrationAtDestination(
    ref: GuestRef,
    options: { readonly plan: LiveMigrationPlan; readonly paused: boolean },
  ): Promise<void> {
    return this.#incoming.adopt(ref, options)
  }

  rollbackLiveMigrationAtDestination(ref: GuestRef, plan: LiveMigrationPlan): Promise<void> {
    return this.#incoming.rollback(ref, plan)
  }
}
