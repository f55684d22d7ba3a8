import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { GuestRef, SnapshotImage } from '../../driver/driver.js'
import { PowerState } from '../../driver/power-state.js'
import type { Guest } from './guests.js'
import type { QemuMoveHost } from './move-host.js'
import type { QmpClient, QmpEvent } from './qmp-client.js'

const run = promisify(execFile)

/** Where snapshots are taken before their upload (Nova's `[libvirt] snapshots_directory`, under instances_path). */
export const SNAPSHOTS_DIR = 'snapshots'

/** The root disk's node in every guest's QEMU (argv.ts). */
const ROOT_NODE = 'disk0'

/** How long a live backup of the root disk may take. */
const BACKUP_TIMEOUT_MS = 30 * 60_000

/**
 * A consistent, standalone copy of the guest's root disk (qcow2 without a backing file) for the image service.
 * A running guest is copied live by a QEMU block job (blockdev-backup, sync full: the disk as it was when the job
 * started, the guest never paused); a guest without vCPUs running (paused, shut down, suspended, stopped) by
 * `qemu-img convert` of its overlay (QEMU flushed the disk when the vCPUs stopped). The copy is streamed from a
 * file under `instances_path/snapshots/`, removed once read. Progress as Nova's libvirt driver reports it:
 * image_pending_upload before the copy, image_uploading once it is made.
 */
export async function snapshotGuest(
  host: QemuMoveHost,
  ref: GuestRef,
  progress: (taskState: 'image_pending_upload' | 'image_uploading') => Promise<void>,
): Promise<SnapshotImage> {
  const { guests, qemuImg } = host
  const file = await guests.locked(ref.uuid, async () => {
    const guest = guests.get(ref)
    await progress('image_pending_upload')
    const dir = path.join(host.instancesPath, SNAPSHOTS_DIR)
    await mkdir(dir, { recursive: true })
    const out = path.join(dir, `${ref.uuid}-${randomBytes(4).toString('hex')}.qcow2`)
    try {
      if ((await guests.state(guest)) === PowerState.RUNNING)
        await liveBackup(await guests.monitor(guest), guest, qemuImg, out)
      // -U: the disk may be open in a QEMU whose vCPUs are stopped.
      else await run(qemuImg, ['convert', '-U', '-f', 'qcow2', '-O', 'qcow2', guest.paths.disk, out])
    } catch (error) {
      await rm(out, { force: true })
      throw error
    }
    return out
  })
  await progress('image_uploading')
  return { diskFormat: 'qcow2', containerFormat: 'bare', data: readThenRemove(file) }
}

async function* readThenRemove(file: string): AsyncGenerator<Uint8Array> {
  try {
    yield* createReadStream(file)
  } finally {
    await rm(file, { force: true })
  }
}

/** blockdev-backup of the root disk into a new qcow2 file `out` of the same size, waiting for the job's end. */
async function liveBackup(qmp: QmpClient, guest: Guest, qemuImg: string, out: string): Promise<void> {
  const blocks =
    await qmp.execute<{ inserted?: { 'node-name'?: string; image?: { 'virtual-size'?: number } } }[]>(
      'query-block',
    )
  const size = blocks.find((b) => b.inserted?.['node-name'] === ROOT_NODE)?.inserted?.image?.['virtual-size']
  if (size === undefined) throw new Error(`the guest ${guest.record.uuid} has no root disk node ${ROOT_NODE}`)
  await run(qemuImg, ['create', '-q', '-f', 'qcow2', out, String(size)])
  const suffix = randomBytes(4).toString('hex')
  const node = `snapshot-${suffix}`
  const job = `backup-${suffix}`
  await qmp.execute('blockdev-add', {
    driver: 'qcow2',
    'node-name': node,
    file: { driver: 'file', filename: out },
  })
  try {
    const ended = jobEnd(qmp, job)
    await qmp
      .execute('blockdev-backup', { 'job-id': job, device: ROOT_NODE, target: node, sync: 'full' })
      .catch((error: unknown) => {
        ended.cancel()
        throw error
      })
    const event = await ended.promise
    const error = (event.data as { error?: string } | undefined)?.error
    if (event.event !== 'BLOCK_JOB_COMPLETED' || error !== undefined)
      throw new Error(`the backup of ${guest.record.uuid}'s disk failed: ${error ?? event.event}`)
  } finally {
    await qmp.execute('blockdev-del', { 'node-name': node }).catch(() => undefined)
  }
}

/** The BLOCK_JOB_COMPLETED or BLOCK_JOB_CANCELLED event of `job` (rejects when QMP closes or after the timeout). */
function jobEnd(qmp: QmpClient, job: string): { promise: Promise<QmpEvent>; cancel(): void } {
  let cleanup = () => {}
  const promise = new Promise<QmpEvent>((resolve, reject) => {
    const onEvent = (event: QmpEvent) => {
      if (event.event !== 'BLOCK_JOB_COMPLETED' && event.event !== 'BLOCK_JOB_CANCELLED') return
      if ((event.data as { device?: string } | undefined)?.device !== job) return
      cleanup()
      resolve(event)
    }
    const onClose = () => {
      cleanup()
      reject(new Error(`QEMU closed its monitor during the backup ${job}`))
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`the backup ${job} did not end in ${BACKUP_TIMEOUT_MS} ms`))
    }, BACKUP_TIMEOUT_MS)
    cleanup = () => {
      clearTimeout(timer)
      qmp.off('event', onEvent)
      qmp.off('close', onClose)
    }
    qmp.on('event', onEvent)
    qmp.on('close', onClose)
  })
  return { promise, cancel: () => cleanup() }
}
