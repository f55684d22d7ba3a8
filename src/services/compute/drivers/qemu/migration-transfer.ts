import { setTimeout as sleep } from 'node:timers/promises'
import type { LiveMigrationProgress } from '../../driver/driver.js'
import type { QmpClient, QmpEvent } from './qmp-client.js'

/** The node name of the source's NBD client of the destination's disk, and the mirror job writing to it. */
const MIRROR_TARGET = 'migration-target'
const MIRROR_JOB = 'migration-mirror'
/** How often progress is polled while QEMU works (events wake the loop earlier). */
const POLL_MS = 200

/** What one transfer needs: where to, whether the disk goes along, and how it is followed and stopped. */
export interface TransferOptions {
  /** The destination QEMU's incoming migration URI (`unix:…`). */
  readonly uri: string
  /** The destination's NBD server socket, exporting its disk as `disk0`: the disk is mirrored there first. */
  readonly nbdSocket?: string
  /** max-bandwidth in bytes/s. */
  readonly maxBandwidth: number
  readonly signal: AbortSignal
  readonly onProgress: (progress: LiveMigrationProgress) => void
}

/** The transfer was stopped by its signal; the guest runs on the source as before. */
export class TransferAborted extends Error {
  constructor() {
    super('the live migration was aborted')
    this.name = 'TransferAborted'
  }
}

interface MigrateInfo {
  readonly status?: string
  readonly 'total-time'?: number
  readonly 'error-desc'?: string
  readonly ram?: { readonly total: number; readonly transferred: number; readonly remaining: number }
}

interface BlockJobInfo {
  readonly device: string
  readonly len: number
  readonly offset: number
  readonly ready: boolean
}

/**
 * Moves a running (or paused) guest from this QEMU to the destination's: for a block migration the root disk is
 * first mirrored over NBD (blockdev-mirror sync=top: only the overlay, the destination has its own base) until the
 * job is READY; then the RAM (`migrate`). With a mirror, QEMU pauses before the switchover (the vCPUs are stopped)
 * so the mirror is finished (block-job-cancel on a READY job: synchronised, no pivot) before the destination
 * starts. Completion is taken from the MIGRATION event (QEMU 7.2's query-migrate may say `completed` with
 * total-time 0 before it is). On abort or failure everything is cancelled and the source runs on.
 */
export async function transferGuest(qmp: QmpClient, options: TransferOptions): Promise<void> {
  const { signal } = options
  const block = options.nbdSocket !== undefined
  let migrationEvent: string | undefined
  const onEvent = (event: QmpEvent) => {
    if (event.event === 'MIGRATION' && typeof event.data?.status === 'string')
      migrationEvent = event.data.status
  }
  qmp.on('event', onEvent)
  let disk = { total: 0, processed: 0 }
  let mirror = false
  let migrating = false
  try {
    if (signal.aborted) throw new TransferAborted()
    await qmp.execute('migrate-set-capabilities', {
      capabilities: [
        { capability: 'events', state: true },
        { capability: 'pause-before-switchover', state: block },
      ],
    })
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': options.maxBandwidth })
    if (block) {
      await qmp.execute('blockdev-add', {
        driver: 'nbd',
        'node-name': MIRROR_TARGET,
        server: { type: 'unix', path: options.nbdSocket },
        export: 'disk0',
      })
      await qmp.execute('blockdev-mirror', {
        'job-id': MIRROR_JOB,
        device: 'disk0',
        target: MIRROR_TARGET,
        sync: 'top',
        'copy-mode': 'write-blocking',
      })
      mirror = true
      for (;;) {
        const job = await mirrorJob(qmp)
        if (job === undefined) throw new Error('the disk mirror to the destination failed')
        disk = { total: job.len, processed: job.offset }
        options.onProgress(progressOf(undefined, disk))
        if (job.ready) break
        if (signal.aborted) throw new TransferAborted()
        await wake(qmp, 'BLOCK_JOB_READY')
      }
    }
    migrationEvent = undefined
    await qmp.execute('migrate', { uri: options.uri })
    migrating = true
    let switchedOver = false
    for (;;) {
      // The reply and the event may come in either order: a state either of them shows counts.
      const info = await qmp.execute<MigrateInfo>('query-migrate')
      options.onProgress(progressOf(info, disk))
      const seen = [info.status, migrationEvent]
      const failed = seen.find((status) => status === 'failed' || status === 'cancelled')
      if (failed !== undefined)
        throw new Error(`the migration ${failed}${info['error-desc'] ? `: ${info['error-desc']}` : ''}`)
      if (migrationEvent === 'completed' || (info.status === 'completed' && (info['total-time'] ?? 0) > 0))
        break
      if (!switchedOver && seen.includes('pre-switchover')) {
        // The source's vCPUs are stopped: the mirror finishes in sync and lets go of the destination's disk.
        await finishMirror(qmp, false)
        mirror = false
        switchedOver = true
        disk = { total: disk.total, processed: disk.total }
        await qmp.execute('migrate-continue', { state: 'pre-switchover' })
        continue
      }
      if (signal.aborted) throw new TransferAborted()
      await wake(qmp, 'MIGRATION')
    }
    const done = await qmp.execute<MigrateInfo>('query-migrate')
    options.onProgress(progressOf({ ...done, ram: done.ram && { ...done.ram, remaining: 0 } }, disk))
  } catch (error) {
    const completed = await cancel(qmp, migrating, mirror)
    if (!completed) throw signal.aborted ? new TransferAborted() : error
  } finally {
    qmp.off('event', onEvent)
  }
}

/** Stops what was started; true when the migration had completed after all (too late to abort). */
async function cancel(qmp: QmpClient, migrating: boolean, mirror: boolean): Promise<boolean> {
  if (migrating) {
    await qmp.execute('migrate_cancel').catch(() => undefined)
    for (let i = 0; i < 600; i++) {
      const info = await qmp.execute<MigrateInfo>('query-migrate').catch(() => undefined)
      if (info === undefined) break
      if (info.status === 'completed') return true
      if (info.status !== 'cancelling' && info.status !== 'active' && info.status !== 'pre-switchover') break
      await sleep(50)
    }
  }
  if (mirror) await finishMirror(qmp, true).catch(() => undefined)
  else await qmp.execute('blockdev-del', { 'node-name': MIRROR_TARGET }).catch(() => undefined)
  return false
}

/** Ends the mirror job (synchronised unless `force`), waits until it is gone, and drops the NBD client node. */
async function finishMirror(qmp: QmpClient, force: boolean): Promise<void> {
  await qmp.execute('block-job-cancel', { device: MIRROR_JOB, force })
  for (let i = 0; (await mirrorJob(qmp)) !== undefined; i++) {
    if (i > 3000) throw new Error('the disk mirror did not finish')
    await wake(qmp, 'BLOCK_JOB_COMPLETED', 20)
  }
  await qmp.execute('blockdev-del', { 'node-name': MIRROR_TARGET })
}

async function mirrorJob(qmp: QmpClient): Promise<BlockJobInfo | undefined> {
  const jobs = await qmp.execute<BlockJobInfo[]>('query-block-jobs')
  return jobs.find((job) => job.device === MIRROR_JOB)
}

/** Waits for the next `event`, at most `ms`. */
async function wake(qmp: QmpClient, event: string, ms = POLL_MS): Promise<void> {
  await qmp.waitForEvent(event, { timeoutMs: ms }).catch(() => undefined)
}

function progressOf(
  info: MigrateInfo | undefined,
  disk: { readonly total: number; readonly processed: number },
): LiveMigrationProgress {
  const ram = info?.ram
  return {
    memoryTotal: ram?.total ?? 0,
    memoryProcessed: ram?.transferred ?? 0,
    memoryRemaining: ram?.remaining ?? 0,
    diskTotal: disk.total,
    diskProcessed: disk.processed,
    diskRemaining: disk.total - disk.processed,
  }
}
