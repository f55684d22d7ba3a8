import { createHash } from 'node:crypto'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { InvalidSharedStorage } from '../../../../common/errors/index.js'
import type { GuestRef, LiveMigrationPlan, SpawnRequest } from '../../driver/driver.js'
import { GuestExists, GuestNotFound } from '../../driver/errors.js'
import { guestPaths, MAX_SOCKET_PATH, type GuestPaths } from './argv.js'
import { addConfigDrive, type ConfigDriveOptions } from './config-drive.js'
import { createGuestFiles } from './guest-files.js'
import { isQemuAlive, readPidfile, waitForExit } from './guest-process.js'
import { readGuestRecord, RECORD_FILE, writeGuestRecord } from './guest-record.js'
import type { Guest, QemuGuests } from './guests.js'
import type { ImageCache } from './image-cache.js'
import { writableDisks } from './migration-transfer.js'

/** What the live migration modules need of their QemuDriver. */
export interface MigrationHost {
  readonly guests: QemuGuests
  readonly instancesPath: string
  readonly cache: ImageCache
  readonly qemuImg: string
  /** This compute's host (node) name, as guest records name it. */
  host(): string | undefined
  /** How the driver makes config drives (a block migration's destination makes the guest's again). */
  readonly configDrive?: ConfigDriveOptions
}

/**
 * The files of a guest arriving by live migration on `host`: its own sockets and pidfile beside the standard ones,
 * which a source QEMU sharing the instance directory still holds; they get the standard names when the guest is
 * adopted. A QEMU unlinks the paths of its command line when it quits, and a source that itself arrived by
 * migration was started with its own host's incoming names: so the names carry the receiving host (a hash of it),
 * never the same on source and destination. The disk and console log are the guest's usual ones.
 */
export function incomingPaths(paths: GuestPaths, host: string | undefined): GuestPaths {
  const tag = `in-${createHash('sha1')
    .update(host ?? '')
    .digest('hex')
    .slice(0, 6)}`
  return {
    ...paths,
    qmp: `${paths.dir}/qmp-${tag}.sock`,
    serial: `${paths.dir}/serial-${tag}.sock`,
    vnc: `${paths.dir}/vnc-${tag}.sock`,
    pidfile: `${paths.dir}/qemu-${tag}.pid`,
  }
}

/** The destination QEMU's incoming migration socket and (block migration) NBD server socket. */
export const migrationSocket = (dir: string): string => `${dir}/migrate.sock`
export const nbdSocket = (dir: string): string => `${dir}/nbd.sock`

/**
 * A file in an instance directory that preLiveMigration made and postLiveMigrationAtDestination has not adopted
 * yet: initHost does not adopt such a guest (a restart in between leaves it to the rollback).
 */
const INCOMING_MARKER = 'incoming'

/** The instance directory holds a guest still arriving (or left over from a migration that never finished). */
export async function isIncoming(dir: string): Promise<boolean> {
  return await stat(path.join(dir, INCOMING_MARKER)).then(
    () => true,
    () => false,
  )
}

interface Incoming {
  readonly guest: Guest
  readonly paths: GuestPaths
  readonly plan: LiveMigrationPlan
  /** preLiveMigration made the instance directory (not shared): rollback removes it. */
  readonly createdDir: boolean
}

/**
 * The destination side of a live migration: preLiveMigration starts the guest's QEMU with identical devices,
 * waiting (`-incoming defer`, then migrate-incoming on a unix socket in the instance directory) — on the source's
 * own files when the instances path is shared, else on a new overlay over this host's cached image with an NBD
 * server exporting it for the source's disk mirror. postLiveMigrationAtDestination adopts the running guest;
 * rollback removes what prepare made.
 */
export class IncomingMigrations {
  readonly #host: MigrationHost
  readonly #incoming = new Map<string, Incoming>()

  constructor(host: MigrationHost) {
    this.#host = host
  }

  has(uuid: string): boolean {
    return this.#incoming.has(uuid)
  }

  /** Closes the monitors of the guests still arriving (nova-compute stops; their QEMUs go on). */
  closeMonitors(): void {
    for (const { guest } of this.#incoming.values()) {
      guest.qmp?.close()
      guest.qmp = undefined
    }
  }

  async prepare(request: SpawnRequest, plan: LiveMigrationPlan): Promise<{ readonly uri: string }> {
    const { instance } = request
    const { guests } = this.#host
    return guests.locked(instance.uuid, async () => {
      if (guests.has(instance.uuid) || this.#incoming.has(instance.uuid)) throw new GuestExists(instance.name)
      const paths = guestPaths(this.#host.instancesPath, instance.uuid)
      const incoming = incomingPaths(paths, this.#host.host())
      const sockets = [
        incoming.qmp,
        incoming.serial,
        incoming.vnc,
        migrationSocket(paths.dir),
        nbdSocket(paths.dir),
      ]
      const longest = Math.max(...sockets.map((s) => s.length))
      if (longest > MAX_SOCKET_PATH)
        throw new Error(`instances_path is too long for unix sockets (${longest} bytes)`)
      let createdDir = false
      let entry: Incoming | undefined
      try {
        let record
        if (plan.sharedInstancePath) {
          record = await readGuestRecord(path.join(paths.dir, RECORD_FILE))
          if (record === undefined || record.uuid !== instance.uuid)
            throw new InvalidSharedStorage({ path: paths.dir, reason: 'the guest files are not there' })
        } else {
          await mkdir(this.#host.instancesPath, { recursive: true })
          await mkdir(paths.dir).catch((error: NodeJS.ErrnoException) => {
            throw error.code === 'EEXIST' ? new GuestExists(instance.name) : error
          })
          createdDir = true
          await writeFile(path.join(paths.dir, INCOMING_MARKER), '')
          record = await createGuestFiles({
            instance,
            image: request.image,
            paths,
            cache: this.#host.cache,
            qemuImg: this.#host.qemuImg,
            host: this.#host.host(),
          })
          // Made again from the instance (not copied): the same files, with a new random seed.
          record = await addConfigDrive(request, paths, record, this.#host.configDrive)
        }
        entry = {
          guest: { record, paths: incoming, pid: undefined, qmp: undefined },
          paths,
          plan,
          createdDir,
        }
        this.#incoming.set(instance.uuid, entry)
        await this.#removeIncomingFiles(paths)
        const argv = guests.argvOf(entry.guest)
        const disks = plan.blockMigration ? writableDisks(argv) : []
        // The NBD exports and the guest's disk devices both write the disks until the source's mirrors are done
        // (before the switchover): the devices must share writing, or QEMU refuses to activate the disks.
        const writes = (a: string) => disks.some((node) => new RegExp(`(^|,)drive=${node}(,|$)`).test(a))
        const devices = argv.map((a) => (writes(a) ? `${a},share-rw=on` : a))
        const qmp = await guests.launch(entry.guest, [...devices, '-incoming', 'defer'])
        if (plan.blockMigration) {
          await qmp.execute('nbd-server-start', {
            addr: { type: 'unix', data: { path: nbdSocket(paths.dir) } },
          })
          for (const node of disks) await qmp.execute('nbd-server-add', { device: node, writable: true })
        }
        const uri = `unix:${migrationSocket(paths.dir)}`
        await qmp.execute('migrate-incoming', { uri })
        return { uri }
      } catch (error) {
        if (entry !== undefined) await this.#discard(instance.uuid, entry).catch(() => undefined)
        else if (createdDir) await rm(paths.dir, { recursive: true, force: true })
        throw error
      }
    })
  }

  /**
   * Adopts the guest once its memory has arrived: its sockets and pidfile take the standard names (with a shared
   * instance directory, after the source's QEMU is gone), guest.json names this host, and it runs (or stays
   * paused when it was paused before the migration; a force-complete pause is undone here).
   */
  async adopt(ref: GuestRef, options: { readonly paused: boolean }): Promise<void> {
    const { guests } = this.#host
    await guests.locked(ref.uuid, async () => {
      const entry = this.#incoming.get(ref.uuid)
      if (entry === undefined) {
        if (guests.has(ref.uuid)) return
        throw new GuestNotFound(ref.uuid)
      }
      const { guest, paths, plan } = entry
      const deadline = Date.now() + 120_000
      let status = await guests.runState(guest)
      for (; status === 'inmigrate'; status = await guests.runState(guest)) {
        if (Date.now() > deadline) throw new Error(`the guest ${ref.uuid} never arrived (${status})`)
        await sleep(50)
      }
      const qmp = await guests.monitor(guest)
      if (plan.blockMigration) await qmp.execute('nbd-server-stop').catch(() => undefined)
      if (!options.paused && status === 'paused') await qmp.execute('cont')
      if (options.paused && status === 'running') await qmp.execute('stop')
      if (plan.sharedInstancePath) {
        const sourcePid = await readPidfile(paths.pidfile)
        if (sourcePid !== undefined && sourcePid !== guest.pid) await waitForExit(sourcePid, ref.uuid, 60_000)
      }
      const incoming = guest.paths
      for (const key of ['qmp', 'serial', 'vnc', 'pidfile'] as const) await rename(incoming[key], paths[key])
      await rm(migrationSocket(paths.dir), { force: true })
      await rm(nbdSocket(paths.dir), { force: true })
      const record = {
        ...guest.record,
        ...(this.#host.host() === undefined ? {} : { host: this.#host.host() }),
      }
      await writeGuestRecord(path.join(paths.dir, RECORD_FILE), record)
      await rm(path.join(paths.dir, INCOMING_MARKER), { force: true })
      guests.add({ record, paths, pid: guest.pid, qmp: guest.qmp })
      this.#incoming.delete(ref.uuid)
    })
  }

  /**
   * Removes what prepare made: the waiting QEMU, its sockets, and the instance directory unless it is shared
   * (or was not made by prepare). Idempotent; also after a restart (the QEMU found by its pidfile).
   */
  async rollback(ref: GuestRef, plan: LiveMigrationPlan): Promise<void> {
    const { guests } = this.#host
    await guests.locked(ref.uuid, async () => {
      if (guests.has(ref.uuid)) return
      const entry = this.#incoming.get(ref.uuid)
      if (entry !== undefined) return this.#discard(ref.uuid, entry)
      const paths = guestPaths(this.#host.instancesPath, ref.uuid)
      const pid = await readPidfile(incomingPaths(paths, this.#host.host()).pidfile)
      if (pid !== undefined && (await isQemuAlive(pid, ref.uuid))) {
        process.kill(pid, 'SIGKILL')
        await waitForExit(pid, ref.uuid, 5000)
      }
      // A directory made by a preLiveMigration of this host before a restart (a shared one is the source's).
      if (!plan.sharedInstancePath && (await isIncoming(paths.dir)))
        await rm(paths.dir, { recursive: true, force: true })
      else await this.#removeIncomingFiles(paths)
    })
  }

  async #discard(uuid: string, entry: Incoming): Promise<void> {
    this.#incoming.delete(uuid)
    await this.#host.guests.stopProcess(entry.guest)
    if (entry.createdDir) await rm(entry.paths.dir, { recursive: true, force: true })
    else await this.#removeIncomingFiles(entry.paths)
  }

  async #removeIncomingFiles(paths: GuestPaths): Promise<void> {
    const incoming = incomingPaths(paths, this.#host.host())
    for (const file of [
      incoming.qmp,
      incoming.serial,
      incoming.vnc,
      incoming.pidfile,
      migrationSocket(paths.dir),
      nbdSocket(paths.dir),
    ])
      await rm(file, { force: true })
  }
}
