import type { Database, UntypedExecutor } from '../../../db/index.js'
import { upsert, withTransaction } from '../../../db/index.js'
import { ApiFault } from '../faults.js'
import type { InstanceUsage, QuotaEngine } from './engine.js'

type Counted = keyof InstanceUsage
const COUNTED: readonly Counted[] = ['instances', 'cores', 'ram']

/** Nova's TooManyInstances, answered as 403 forbidden by the servers API. */
export class TooManyInstances extends ApiFault {
  constructor(overs: string, req: string, used: string, allowed: string) {
    super(
      403,
      `Quota exceeded for ${overs}: Requested ${req}, but already used ${used} of ${allowed} ${overs}`,
    )
    this.name = 'TooManyInstances'
  }
}

/** The project has no `quota_locks` row yet. */
class QuotaLockMissing extends Error {}

/**
 * Runs `fn` in a transaction on the API database that first takes the project's quota lock (an UPDATE of its
 * `quota_locks` row, created on first use): concurrent creates of one project wait there until the holder
 * commits, so each one counts the instances the ones before it recorded. `fn` may be run again after a
 * deadlock (withTransaction retries), so it undoes its own writes outside the transaction when it fails.
 */
export async function withProjectQuotaLock<T>(
  apiDb: Database<unknown>,
  projectId: string,
  fn: (trx: UntypedExecutor) => Promise<T>,
): Promise<T> {
  const d = apiDb.differences
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(
        apiDb,
        async (trx) => {
          const t = trx as UntypedExecutor
          const locked = await t
            .updateTable('quota_locks')
            .set((eb) => ({ generation: eb('generation', '+', 1), updated_at: d.toDbDate(new Date()) }))
            .where('project_id', '=', projectId)
            .executeTakeFirst()
          if (locked.numUpdatedRows === 0n) throw new QuotaLockMissing()
          return await fn(t)
        },
        5,
        { isolation: 'read committed' },
      )
    } catch (error) {
      if (!(error instanceof QuotaLockMissing) || attempt > 1) throw error
      // Its own statement, outside any transaction; a concurrent twin inserting the same row is harmless.
      await upsert(apiDb.kysely as UntypedExecutor, d, {
        table: 'quota_locks',
        values: { project_id: projectId, generation: 0, created_at: d.toDbDate(new Date()) },
        conflict: ['project_id'],
        update: [],
      })
    }
  }
}

/** Per resource: the headroom left and the limit that leaves it (the tighter of project and user). */
interface Room {
  readonly headroom: number
  readonly limit: number
}

/**
 * Nova's compute API `_check_num_instances_quota` (DbQuotaDriver): how many of min_count..max_count
 * instances of a flavor the project (and the user, for per-user limits) may still create, by the limits read
 * through `k` and the usage counted now. All of max_count fit → max_count; otherwise as many as fit when that
 * is at least min_count; else TooManyInstances ("Quota exceeded for instances: Requested 1, but already used
 * 2 of 2 instances").
 */
export async function checkNumInstancesQuota(
  engine: QuotaEngine,
  k: UntypedExecutor,
  flavor: { readonly vcpus: number; readonly memoryMb: number },
  minCount: number,
  maxCount: number,
  projectId: string,
  userId: string,
): Promise<number> {
  const projectLimits = await engine.projectLimits(projectId, k)
  const userLimits = await engine.limits(projectId, userId, k)
  const projectUsage = await engine.instanceUsage(projectId, undefined, k)
  const userUsage = await engine.instanceUsage(projectId, userId, k)

  const room = (r: Counted): Room => {
    const levels = [
      { limit: projectLimits[r] ?? -1, used: projectUsage[r] },
      { limit: userLimits[r] ?? -1, used: userUsage[r] },
    ].filter((l) => l.limit >= 0)
    let best: Room = { headroom: Infinity, limit: -1 }
    for (const l of levels)
      if (l.limit - l.used < best.headroom) best = { headroom: l.limit - l.used, limit: l.limit }
    return best
  }

  for (let count = maxCount; ;) {
    const deltas: Record<Counted, number> = {
      instances: count,
      cores: count * flavor.vcpus,
      ram: count * flavor.memoryMb,
    }
    const rooms = Object.fromEntries(COUNTED.map((r) => [r, room(r)])) as Record<Counted, Room>
    const overs = COUNTED.filter((r) => deltas[r] > rooms[r].headroom).sort()
    if (overs.length === 0) return count
    let allowed = rooms.instances.headroom
    if (flavor.vcpus > 0) allowed = Math.min(allowed, Math.floor(rooms.cores.headroom / flavor.vcpus))
    if (flavor.memoryMb > 0) allowed = Math.min(allowed, Math.floor(rooms.ram.headroom / flavor.memoryMb))
    if (allowed > 0 && minCount <= allowed) {
      // Fewer fit (always fewer than count here): create as many as fit, as Nova does.
      count = allowed
      continue
    }
    const requested: Record<Counted, string> = {
      instances: minCount === count ? String(minCount) : `${minCount}-${count}`,
      cores: String(deltas.cores),
      ram: String(deltas.ram),
    }
    throw new TooManyInstances(
      overs.join(', '),
      overs.map((r) => requested[r]).join(', '),
      overs.map((r) => String(rooms[r].limit - rooms[r].headroom)).join(', '),
      overs.map((r) => String(rooms[r].limit)).join(', '),
    )
  }
}
