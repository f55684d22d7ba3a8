import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  archiveDeletedRows,
  createServicesRepository,
  openDatabase,
  softDelete,
  syncSchema,
  type Database,
  type MainSchema,
} from '../../src/db/index.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

async function count(db: Database<MainSchema>, table: keyof MainSchema): Promise<number> {
  const row = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

for (const backend of await databaseBackends()) {
  describe(
    `[db:${backend.name}] archive budget, dry run and soft-deleted children`,
    { skip: backend.skip },
    () => {
      it('dry run counts without moving; own soft-deleted child rows of live instances are archived too', async () => {
        await withTestDatabase(backend, async (url) => {
          const db = await openDatabase<MainSchema>(url)
          const base = db as Database<unknown>
          try {
            await syncSchema(base, 'main')
            const k = db.kysely
            const live = randomUUID()
            const gone = randomUUID()
            await k
              .insertInto('instances')
              .values([{ uuid: live }, { uuid: gone }])
              .execute()
            for (const uuid of [live, gone])
              await k
                .insertInto('instance_system_metadata')
                .values([
                  { instance_uuid: uuid, key: 'a', value: '1' },
                  { instance_uuid: uuid, key: 'b', value: '2' },
                ])
                .execute()
            // The live instance loses one key (soft-deleted on its own); the other instance is deleted.
            const removed = await k
              .selectFrom('instance_system_metadata')
              .select('id')
              .where('instance_uuid', '=', live)
              .where('key', '=', 'a')
              .executeTakeFirstOrThrow()
            assert.equal(await softDelete(base, 'instance_system_metadata', removed.id), true)
            const goneRow = await k
              .selectFrom('instances')
              .select('id')
              .where('uuid', '=', gone)
              .executeTakeFirstOrThrow()
            assert.equal(await softDelete(base, 'instances', goneRow.id), true)
            const services = createServicesRepository(base)
            const svc = await services.create({
              host: 'h',
              binary: 'nova-compute',
              topic: 'compute',
              version: 1,
            })
            await services.softDelete(svc.id)

            const seen: string[][] = []
            const dry = await archiveDeletedRows(base, {
              dryRun: true,
              onArchivedInstances: (u) => seen.push([...u]),
            })
            assert.deepEqual(
              [dry.instances, dry.instance_system_metadata, dry.services],
              [1, 3, 1],
              'the deleted instance with its 2 rows, the live one’s deleted row, the service',
            )
            assert.equal(seen.length, 0, 'a dry run reports no archived instances')
            assert.equal(await count(db, 'shadow_instances'), 0, 'nothing moved')
            assert.equal(await count(db, 'instance_system_metadata'), 4)

            const real = await archiveDeletedRows(base, { onArchivedInstances: (u) => seen.push([...u]) })
            assert.deepEqual(real, dry, 'the dry run predicted the real run')
            assert.deepEqual(seen, [[gone]])
            assert.equal(await count(db, 'instance_system_metadata'), 1, 'only the live key is left')
            assert.equal(await count(db, 'shadow_instance_system_metadata'), 3)
            assert.equal(await count(db, 'shadow_services'), 1)
            assert.equal(total(await archiveDeletedRows(base)), 0, 'nothing left')
          } finally {
            await db.close()
          }
        })
      })

      it('max_rows is one budget for the whole call, and --before keeps recent deletions', async () => {
        await withTestDatabase(backend, async (url) => {
          const db = await openDatabase<MainSchema>(url)
          const base = db as Database<unknown>
          try {
            await syncSchema(base, 'main')
            const services = createServicesRepository(base)
            for (let i = 0; i < 5; i++) {
              const s = await services.create({
                host: `h${i}`,
                binary: 'nova-compute',
                topic: 'compute',
                version: 1,
              })
              await services.softDelete(s.id)
            }
            await db.kysely
              .insertInto('compute_nodes')
              .values({
                host: 'h0',
                hypervisor_hostname: 'n0',
                deleted: 1,
                deleted_at: db.differences.toDbDate(new Date()),
              })
              .execute()
            assert.equal(
              total(await archiveDeletedRows(base, { before: new Date(Date.now() - 3_600_000) })),
              0,
            )
            const first = await archiveDeletedRows(base, { maxRows: 3 })
            assert.deepEqual([first.services, first.compute_nodes], [3, 0], 'the budget ran out on services')
            const second = await archiveDeletedRows(base, { maxRows: 3 })
            assert.deepEqual([second.services, second.compute_nodes], [2, 1])
            assert.equal(await count(db, 'shadow_services'), 5)
          } finally {
            await db.close()
          }
        })
      })
    },
  )
}
