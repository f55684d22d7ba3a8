import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { sql, type Kysely } from 'kysely'
import {
  insertReturningId,
  openDatabase,
  syncSchema,
  upsert,
  withTransaction,
  type Database,
  type MainSchema,
  type UntypedKysely,
} from '../../src/db/index.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

/** What every engine must read back, once normalised through db.differences. */
interface Observed {
  launchedAt: string | undefined
  terminatedAt: Date | undefined
  locked: boolean
  hidden: boolean
  computeId: number | undefined
  powerState: number | undefined
  name: string | null
  count: number
  sum: number
}

async function observe(db: Database<MainSchema>, uuid: string): Promise<Observed> {
  const d = db.differences
  const row = await db.kysely
    .selectFrom('instances')
    .selectAll()
    .where('uuid', '=', uuid)
    .executeTakeFirstOrThrow()
  const agg = await db.kysely
    .selectFrom('instances')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('memory_mb').as('total')])
    .executeTakeFirstOrThrow()
  return {
    launchedAt: d.fromDbDate(row.launched_at)?.toISOString(),
    terminatedAt: d.fromDbDate(row.terminated_at),
    locked: d.fromDbBool(row.locked),
    hidden: d.fromDbBool(row.hidden),
    computeId: d.fromDbInt(row.compute_id),
    powerState: d.fromDbInt(row.power_state),
    name: row.display_name,
    count: agg.n as number,
    sum: agg.total as number,
  }
}

for (const backend of await databaseBackends()) {
  describe(`[db:${backend.name}] normalisation, writes and transactions`, { skip: backend.skip }, () => {
    const withMain = (fn: (db: Database<MainSchema>, url: string) => Promise<void>) =>
      withTestDatabase(backend, async (url) => {
        const db = await openDatabase<MainSchema>(url)
        try {
          await syncSchema(db as Database<unknown>, 'main')
          await fn(db, url)
        } finally {
          await db.close()
        }
      })

    it('reads dates, booleans, integers and 4-byte UTF-8 back identically on every engine', async () => {
      await withMain(async (db) => {
        const d = db.differences
        const uuid = randomUUID()
        await db.kysely
          .insertInto('instances')
          .values({
            uuid,
            display_name: 'vm 🚀 ünïcode',
            launched_at: d.toDbDate(new Date('2026-03-04T05:06:07.891Z')),
            locked: d.toDbBool(true),
            compute_id: 2 ** 40,
            power_state: 1,
            memory_mb: 2048,
          })
          .execute()
        await db.kysely.insertInto('instances').values({ uuid: randomUUID(), memory_mb: 512 }).execute()
        const seen = await observe(db, uuid)
        assert.deepEqual(seen, {
          launchedAt: '2026-03-04T05:06:07.891Z',
          terminatedAt: undefined,
          locked: true,
          hidden: false,
          computeId: 2 ** 40,
          powerState: 1,
          name: 'vm 🚀 ünïcode',
          count: 2,
          sum: 2560,
        })
        // Raw driver values: counts and sums are already numbers (pg int8/numeric, MySQL DECIMAL configured).
        assert.equal(typeof seen.count, 'number')
        assert.equal(typeof seen.sum, 'number')
        // Date comparison in SQL agrees with JS on every engine (SQLite compares the ISO text).
        const later = await db.kysely
          .selectFrom('instances')
          .select('uuid')
          .where('launched_at', '>', d.toDbDate(new Date('2026-03-04T05:06:07.890Z')))
          .execute()
        assert.deepEqual(
          later.map((r) => r.uuid),
          [uuid],
        )
      })
    })

    it('insertReturningId gives the new id; upsert inserts then updates in place', async () => {
      await withMain(async (db) => {
        const k = db.kysely as UntypedKysely
        const d = db.differences
        const first = await insertReturningId(k, d, 'services', {
          host: 'a',
          binary: 'nova-compute',
          uuid: 'u1',
        })
        const second = await insertReturningId(k, d, 'services', {
          host: 'b',
          binary: 'nova-compute',
          uuid: 'u2',
        })
        assert.ok(first > 0)
        assert.equal(second, first + 1)
        const uuid = randomUUID()
        await db.kysely.insertInto('instances').values({ uuid }).execute()
        const put = (networkInfo: string) =>
          upsert(k, d, {
            table: 'instance_info_caches',
            values: { instance_uuid: uuid, network_info: networkInfo, deleted: 0 },
            conflict: ['instance_uuid'],
          })
        await put('[]')
        await put('[{"id":"port"}]')
        const rows = await db.kysely
          .selectFrom('instance_info_caches')
          .select('network_info')
          .where('instance_uuid', '=', uuid)
          .execute()
        assert.deepEqual(rows, [{ network_info: '[{"id":"port"}]' }])
        await upsert(k, d, {
          table: 'instance_info_caches',
          values: { instance_uuid: uuid },
          conflict: ['instance_uuid'],
          update: [],
        })
        assert.equal(
          (
            await db.kysely
              .selectFrom('instance_info_caches')
              .select('network_info')
              .executeTakeFirstOrThrow()
          ).network_info,
          '[{"id":"port"}]',
          'insert-unless-present leaves the row alone',
        )
      })
    })

    it('withTransaction commits, rolls back on error, and retries a retryable conflict', async () => {
      await withMain(async (db) => {
        const base = db as Database<unknown>
        const uuid = randomUUID()
        await assert.rejects(
          withTransaction(base, async (trx) => {
            await trx.insertInto('instances').values({ uuid }).execute()
            throw new Error('boom')
          }),
          /boom/,
        )
        assert.equal(
          await db.kysely.selectFrom('instances').select('uuid').where('uuid', '=', uuid).executeTakeFirst(),
          undefined,
          'rolled back',
        )
        const conflict = Object.assign(new Error('conflict'), {
          code: { sqlite: 'SQLITE_BUSY', postgresql: '40001', mysql: 'ER_LOCK_DEADLOCK' }[db.engine],
        })
        assert.ok(db.differences.isRetryableConflict(conflict))
        let calls = 0
        const result = await withTransaction(base, async (trx) => {
          calls++
          await trx
            .insertInto('instances')
            .values({ uuid: `${uuid.slice(0, 30)}-${calls}` })
            .execute()
          if (calls < 3) throw conflict
          return 'done'
        })
        assert.deepEqual([result, calls], ['done', 3])
        const kept = await db.kysely.selectFrom('instances').select('uuid').execute()
        assert.equal(kept.length, 1, 'only the successful attempt committed')
        calls = 0
        await assert.rejects(
          withTransaction(
            base,
            async () => {
              calls++
              throw conflict
            },
            2,
          ),
          /conflict/,
        )
        assert.equal(calls, 2, 'bounded retries')
      })
    })

    if (backend.name !== 'sqlite') {
      it('a real deadlock between two transactions is retried until both commit', async () => {
        await withMain(async (db, url) => {
          const k = db.kysely as Kysely<MainSchema>
          const [a, b] = [randomUUID(), randomUUID()]
          await k
            .insertInto('instances')
            .values([
              { uuid: a, progress: 0 },
              { uuid: b, progress: 0 },
            ])
            .execute()
          const other = await openDatabase<unknown>(url)
          let attempts = 0
          const barrier = { waiting: 0, release: () => undefined as void }
          const bothLocked = new Promise<void>((resolve) => (barrier.release = resolve))
          const bump = (on: Database<unknown>, first: string, second: string) =>
            withTransaction(on, async (trx) => {
              attempts++
              const add = (u: string) =>
                trx
                  .updateTable('instances')
                  .set({ progress: sql`progress + 1` })
                  .where('uuid', '=', u)
                  .execute()
              await add(first)
              if (++barrier.waiting === 2) barrier.release()
              await Promise.race([bothLocked, new Promise((r) => setTimeout(r, 500))])
              await add(second)
            })
          try {
            await Promise.all([bump(db as Database<unknown>, a, b), bump(other, b, a)])
          } finally {
            await other.close()
          }
          assert.ok(
            attempts >= 3,
            `one transaction was a deadlock victim and ran again (attempts ${attempts})`,
          )
          const rows = await k.selectFrom('instances').select(['uuid', 'progress']).orderBy('uuid').execute()
          assert.deepEqual(
            rows.map((r) => r.progress),
            [2, 2],
            'both committed exactly once',
          )
        })
      })
    }
  })
}
