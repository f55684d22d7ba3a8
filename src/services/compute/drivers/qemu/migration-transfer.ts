import { setTimeout as sleep } from 'node:timers/promises'
import type { LiveMigrationProgress } from '../../driver/driver.js'
import type { QmpClient, QmpEvent } from './qmp-client.js'

/** The node name of the source's NBD client of the destination's disk `node`, and the mirror job writing to it. */
const mirrorTarget = (node: string) => `migration-target-${node}`
const mirrorJob = (node: string) => `migration-mirror-${node}`

/**
 * The guest's local writable disks (their qcow2 format nodes: root, ephemeral, swap) in its QEMU command line:
 * what a block migration copies. The config drive (read-only, raw) is made again by the destination.
 */
export function writableDisks(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => {
    const node =
      argv[i - 1] === '-blockdev' ? /^driver=qcow2,.*\bnode-name=([^,]+)/.exec(arg)?.[1] : undefined
    return node === undefined ? [] : [node]
  })
}
/** How often progress is polled while QEMU works (events wake the loop earlier). */
const POLL_MS = 200

/** What one transfer needs: where to, whether the disk goes along, and how it is followed and stopped. */
export interface TransferOptions {
  /** The destination QEMU's incoming migration URI (`unix:…`). */
  readonly uri: string
  /** Block migration: the destination's NBD server socket, exporting each of `nodes` under its node name. */
  readonly disks?: { readonly nbdSocket: string; readonly nodes: readonly string[] }
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
 * Moves a running (or paused) guest from this QEMU to the destination's: for a block migration the local disks are
 * first mirrored over NBD (blockdev-mirror sync=top: only the overlays, the destination has its own bases) until
 * the jobs are READY; then the RAM (`migrate`). With mirrors, QEMU pauses before the switchover (the vCPUs are
 * stopped) so the mirrors are finished (block-job-cancel on a READY job: synchronised, no pivot) before the
 * destination starts. Completion is taken from the MIGRATION event (QEMU 7.2's query-migrate may say `completed` with
 * total-time 0 before it is). On abort or failure everything is cancelled and the source runs on.
 */
export async function transferGuest(qmp: QmpClient, options: TransferOptions): Promise<void> {
  const { signal } = options
  const nodes = options.disks?.nodes ?? []
  const block = nodes.length > 0
  let migrationEvent: string | undefined
  const onEvent = (event: QmpEvent) => {
    if (event.event === 'MIGRATION' && typeof event.data?.status === 'string')
      migrationEvent = event.data.status
  }
  qmp.on('event', onEvent)
  let disk = { total: 0, processed: 0 }
  let mirrored: string[] = []
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
    for (const node of nodes) {
      await qmp.execute('blockdev-add', {
        driver: 'nbd',
        'node-name': mirrorTarget(node),
        server: { type: 'unix', path: options.disks!.nbdSocket },
        export: node,
      })
      mirrored = [...mirrored, node]
      await qmp.execute('blockdev-mirror', {
        'job-id': mirrorJob(node),
        device: node,
        target: mirrorTarget(node),
        sync: 'top',
        'copy-mode': 'write-blocking',
      })
    }
    for (;;) {
      if (!block) break
      const jobs = await mirrorJobs(qmp, nodes)
      if (jobs.length < nodes.length) throw new Error('a disk mirror to the destination failed')
      disk = jobs.reduce((a, j) => ({ total: a.total + j.len, processed: a.processed + j.offset }), {
        total: 0,
        processed: 0,
      })
      options.onProgress(progressOf(undefined, disk))
      if (signal.aborted) throw new TransferAborted()
      if (jobs.every((job) => job.ready)) break
      await wake(qmp, 'BLOCK_JOB_READY')
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
        // The source's vCPUs are stopped: the mirrors finish in sync and let go of the destination's disks.
        await finishMirrors(qmp, mirrored, false)
        mirrored = []
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
    const completed = await cancel(qmp, migrating, mirrored)
    if (!completed) throw signal.aborted ? new TransferAborted() : error
  } finally {
    qmp.off('event', onEvent)
  }
}

/** Stops what was started; true when the migration had completed after all (too late to abort). */
async function cancel(qmp: QmpClient, migrating: boolean, mirrored: readonly string[]): Promise<boolean> {
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
  await finishMirrors(qmp, mirrored, true).catch(() => undefined)
  return false
}

/** Ends the mirror jobs (synchronised unless `force`), waits until they are gone, and drops the NBD client nodes. */
async function finishMirrors(qmp: QmpClient, nodes: readonly string[], force: boolean): Promise<void> {
  for (const node of nodes)
    await qmp.execute('block-job-cancel', { device: mirrorJob(node), force }).catch((error: Error) => {
      if (!force) throw error
    })
  for (let i = 0; (await mirrorJobs(qmp, nodes)).length > 0; i++) {
    if (i > 3000) throw new Error('the disk mirror did not finish')
    await wake(qmp, 'BLOCK_JOB_COMPLETED', 20)
  }
  for (const node of nodes) {
    const deleted = qmp.execute('blockdev-del', { 'node-name': mirrorTarget(node) })
    await (force ? deleted.catch(() => undefined) : deleted)
  }
}

async function mirrorJobs(qmp: QmpClient, nodes: readonly string[]): Promise<BlockJobInfo[]> {
  const jobs = await qmp.execute<BlockJobInfo[]>('query-block-jobs')
  return jobs.filter((job) => nodes.some((node) => job.device === mirrorJob(node)))
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
