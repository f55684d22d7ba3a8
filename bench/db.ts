import type { UntypedKysely } from '../src/db/untyped.js'
import { randomUUID } from 'node:crypto'
import { openDatabase, syncSchema, type Database } from '../src/db/index.js'
import { databaseBackends } from '../test/support/backends.js'
import { withTestDatabase } from '../test/support/test-database.js'
import { percentile, printTable } from './table.js'

const N = 2000
type Any = UntypedKysely

async function timeEach(
  n: number,
  op: (i: number) => Promise<void>,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const samples: number[] = []
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint()
    await op(i)
    samples.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  samples.sort((a, b) => a - b)
  return { perSecond: n / seconds, p50: percentile(samples, 50), p99: percentile(samples, 99) }
}

async function benchOne(db: Database<unknown>): Promise<(string | number)[]> {
  const k = db.kysely as Any
  const uuids = Array.from({ length: N }, () => randomUUID())
  const row = (uuid: string) => ({
    uuid,
    vm_state: 'active',
    project_id: 'bench',
    deleted: 0,
    created_at: db.differences.toDbDate(new Date()),
  })
  // Warm-up: connections open, statements and plans cached, before anything is timed.
  const warm = Array.from({ length: 50 }, () => randomUUID())
  for (const uuid of warm) await k.insertInto('instances').values(row(uuid)).execute()
  for (const uuid of warm)
    await k.selectFrom('instances').selectAll().where('uuid', '=', uuid).executeTakeFirst()
  for (const uuid of warm)
    await k.updateTable('instances').set({ task_state: 'w' }).where('uuid', '=', uuid).execute()
  const insert = await timeEach(
    N,
    async (i) => void (await k.insertInto('instances').values(row(uuids[i]!)).execute()),
  )
  const select = await timeEach(
    N,
    async (i) =>
      void (await k.selectFrom('instances').selectAll().where('uuid', '=', uuids[i]!).executeTakeFirst()),
  )
  const update = await timeEach(
    N,
    async (i) =>
      void (await k
        .updateTable('instances')
        .set({ task_state: `t${i}` })
        .where('uuid', '=', uuids[i]!)
        .execute()),
  )
  return [
    db.engine,
    insert.perSecond,
    select.perSecond,
    update.perSecond,
    `${insert.p50.toFixed(2)}/${insert.p99.toFixed(2)}`,
    `${select.p50.toFixed(2)}/${select.p99.toFixed(2)}`,
    `${update.p50.toFixed(2)}/${update.p99.toFixed(2)}`,
  ]
}

/**
 * Single-row insert, select-by-key and update rates (N = 2000 each, sequential, after a warm-up) on each
 * reachable engine, each in a fresh throw-away database; prints one table row per engine (unreachable ones
 * say `skipped`). Run: node --import tsx -e "import('./bench/db.ts').then(m => m.benchDb())"
 */
export async function benchDb(): Promise<void> {
  const rows: (string | number)[][] = []
  for (const backend of await databaseBackends()) {
    if (backend.skip !== undefined) {
      rows.push([backend.name, 'skipped', '', '', '', '', ''])
      continue
    }
    await withTestDatabase(backend, async (url) => {
      const db = await openDatabase(url)
      try {
        await syncSchema(db, 'main')
        rows.push(await benchOne(db))
      } finally {
        await db.close()
      }
    })
  }
  printTable(
    [
      'engine',
      'insert/s',
      'select/s',
      'update/s',
      'insert p50/p99 ms',
      'select p50/p99 ms',
      'update p50/p99 ms',
    ],
    rows,
  )
}
