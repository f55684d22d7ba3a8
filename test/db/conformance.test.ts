import type { UntypedKysely } from '../../src/db/untyped.js'
import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  RowNotFound,
  ServiceBinaryExists,
  ServiceNotFound,
  UnexpectedStateError,
} from '../../src/common/errors/index.js'
import {
  archiveDeletedRows,
  createServicesRepository,
  isServiceUp,
  latestSchemaVersion,
  openDatabase,
  purgeShadowTables,
  schemaVersion,
  softDelete,
  syncSchema,
  updateWithExpectedState,
  type Database,
} from '../../src/db/index.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'
const k = (db: Database<unknown>) => db.kysely as UntypedKysely

async function withSchema(url: string, fn: (db: Database<unknown>) => Promise<void>): Promise<void> {
  const db = await openDatabase(url)
  try {
    await syncSchema(db, 'main')
    await syncSchema(db, 'api')
    await fn(db)
  } finally {
    await db.close()
  }
}

async function addInstance(
  db: Database<unknown>,
  fields: Record<string, unknown> = {},
): Promise<{ id: number; uuid: string }> {
  const uuid = randomUUID()
  await k(db)
    .insertInto('instances')
    .values({
      uuid,
      vm_state: 'building',
      task_state: null,
      project_id: 'p1',
      deleted: 0,
      created_at: db.differences.toDbDate(new Date()),
      ...fields,
    })
    .execute()
  const row = await k(db)
    .selectFrom('instances')
    .select(['id', 'uuid'])
    .where('uuid', '=', uuid)
    .executeTakeFirstOrThrow()
  return { id: Number(row.id), uuid }
}

for (const backend of await databaseBackends()) {
  describe(`[db:${backend.name}] database layer`, { skip: backend.skip }, () => {
    it('sync creates both schemas on an empty database; a second sync applies nothing', async () => {
      await withTestDatabase(backend, async (url) => {
        const db = await openDatabase(url)
        try {
          assert.equal(await schemaVersion(db, 'main'), 0)
          const first = await syncSchema(db, 'main')
          assert.deepEqual([first.from, first.to], [0, latestSchemaVersion('main')])
          assert.ok(first.applied.length > 0)
          assert.deepEqual((await syncSchema(db, 'main')).applied, [])
          await syncSchema(db, 'api')
          assert.equal(await schemaVersion(db, 'api'), latestSchemaVersion('api'))
          const tables = new Set((await db.kysely.introspection.getTables()).map((t) => t.name))
          for (const t of [
            'services',
            'instances',
            'shadow_instances',
            'instance_actions_events',
            'cell_mappings',
            'request_specs',
          ]) {
            assert.ok(tables.has(t), t)
          }
          await assert.rejects(syncSchema(db, 'main', { version: 0 }), /downgrading/)
          await assert.rejects(syncSchema(db, 'main', { version: 99 }), /does not exist/)
        } finally {
          await db.close()
        }
      })
    })

    it('services: create, duplicate refused, heartbeat, up/down, update, soft delete frees the name', async () => {
      await withTestDatabase(backend, (url) =>
        withSchema(url, async (db) => {
          const services = createServicesRepository(db)
          const created = await services.create({
            host: 'h1',
            binary: 'nova-compute',
            topic: 'compute',
            version: 3,
          })
          assert.equal(created.reportCount, 0)
          assert.equal(created.disabled, false)
          assert.ok(created.createdAt instanceof Date)
          assert.ok(
            Math.abs(created.createdAt.getTime() - Date.now()) < 60_000,
            'dates come back as UTC on every engine',
          )
          await assert.rejects(
            services.create({ host: 'h1', binary: 'nova-compute', topic: 'compute', version: 3 }),
            ServiceBinaryExists,
          )

          const beat = new Date(Date.now() - 5000)
          await services.heartbeat(created.id, beat)
          await services.heartbeat(created.id, beat)
          const after = await services.getById(created.id)
          assert.equal(after.reportCount, 2)
          assert.equal(after.updatedAt?.getTime(), beat.getTime())
          assert.equal(isServiceUp(after, new Date(), 60), true)
          assert.equal(isServiceUp(after, new Date(beat.getTime() + 61_000), 60), false)

          const disabled = await services.update(created.id, {
            disabled: true,
            disabledReason: 'maintenance',
            forcedDown: true,
          })
          assert.deepEqual(
            [disabled.disabled, disabled.disabledReason, disabled.forcedDown],
            [true, 'maintenance', true],
          )
          assert.equal(isServiceUp(disabled, new Date(), 60), false, 'forced down is down')
          assert.equal((await services.list({ binary: 'nova-compute' })).length, 1)
          assert.equal((await services.list({ includeDisabled: false })).length, 0, 'disabled left out')
          assert.equal((await services.list({ host: 'other' })).length, 0)
          await services.heartbeat(created.id, new Date(), 7)
          assert.equal((await services.getById(created.id)).version, 7, 'a heartbeat may carry the version')

          await services.softDelete(created.id)
          assert.equal(await services.getByHostAndBinary('h1', 'nova-compute'), undefined)
          await assert.rejects(services.heartbeat(created.id, new Date()), ServiceNotFound)
          const again = await services.create({
            host: 'h1',
            binary: 'nova-compute',
            topic: 'compute',
            version: 4,
          })
          assert.notEqual(again.id, created.id)
        }),
      )
    })

    it('expected-state update applies once, then refuses with the field and the value found', async () => {
      await withTestDatabase(backend, (url) =>
        withSchema(url, async (db) => {
          const { uuid } = await addInstance(db)
          const row = await updateWithExpectedState(db, {
            table: 'instances',
            idColumn: 'uuid',
            id: uuid,
            expected: { task_state: [null] },
            changes: { task_state: 'spawning' },
          })
          assert.equal(row.task_state, 'spawning')
          await assert.rejects(
            updateWithExpectedState(db, {
              table: 'instances',
              idColumn: 'uuid',
              id: uuid,
              expected: { task_state: [null] },
              changes: { task_state: 'deleting' },
            }),
            (e: unknown) =>
              e instanceof UnexpectedStateError &&
              e.details.field === 'task_state' &&
              e.details.actual === 'spawning',
          )
          await updateWithExpectedState(db, {
            table: 'instances',
            idColumn: 'uuid',
            id: uuid,
            expected: { task_state: ['spawning'], vm_state: ['building'] },
            changes: { task_state: null, vm_state: 'active' },
          })
          await assert.rejects(
            updateWithExpectedState(db, {
              table: 'instances',
              idColumn: 'uuid',
              id: randomUUID(),
              expected: { task_state: [null] },
              changes: {},
            }),
            RowNotFound,
          )
        }),
      )
    })

    it('archives deleted instances with all their child rows, within max_rows, then purges', async () => {
      await withTestDatabase(backend, (url) =>
        withSchema(url, async (db) => {
          const kept = await addInstance(db)
          const gone: { id: number; uuid: string }[] = []
          for (let i = 0; i < 3; i++) gone.push(await addInstance(db))
          for (const inst of [kept, ...gone]) {
            await k(db)
              .insertInto('instance_metadata')
              .values({ instance_uuid: inst.uuid, key: 'k', value: 'v', deleted: 0 })
              .execute()
            await k(db)
              .insertInto('instance_actions')
              .values({ instance_uuid: inst.uuid, action: 'create', deleted: 0 })
              .execute()
            const action = await k(db)
              .selectFrom('instance_actions')
              .select('id')
              .where('instance_uuid', '=', inst.uuid)
              .executeTakeFirstOrThrow()
            await k(db)
              .insertInto('instance_actions_events')
              .values({ action_id: action.id, event: 'spawn', deleted: 0 })
              .execute()
            await k(db)
              .insertInto('block_device_mapping')
              .values({
                instance_uuid: inst.uuid,
                source_type: 'image',
                destination_type: 'local',
                deleted: 0,
              })
              .execute()
            await k(db)
              .insertInto('migrations')
              .values({ instance_uuid: inst.uuid, status: 'confirmed', migration_type: 'resize', deleted: 0 })
              .execute()
            await k(db).insertInto('tags').values({ resource_id: inst.uuid, tag: 'web' }).execute()
          }
          for (const inst of gone) assert.equal(await softDelete(db, 'instances', inst.id), true)
          assert.equal(await softDelete(db, 'instances', gone[0]!.id), false, 'already deleted')

          const first = await archiveDeletedRows(db, { maxRows: 2 })
          assert.equal(first.instances, 2)
          assert.equal(first.instance_metadata, 2)
          assert.equal(first.instance_actions_events, 2)
          const second = await archiveDeletedRows(db, { maxRows: 2 })
          assert.equal(second.instances, 1)
          assert.equal(
            Object.values(await archiveDeletedRows(db)).reduce((a, b) => a + b, 0),
            0,
          )

          const count = async (table: string) =>
            Number(
              (
                await k(db)
                  .selectFrom(table)
                  .select((eb) => eb.fn.countAll().as('n'))
                  .executeTakeFirstOrThrow()
              ).n,
            )
          assert.equal(await count('instances'), 1)
          assert.equal(await count('shadow_instances'), 3)
          assert.equal(await count('instance_actions_events'), 1)
          assert.equal(await count('shadow_instance_metadata'), 3)
          assert.equal(await count('shadow_block_device_mapping'), 3)
          assert.equal(await count('shadow_migrations'), 3)
          assert.equal(await count('migrations'), 1)
          assert.equal(await count('tags'), 1, 'only the kept server keeps its tag')
          const shadowRow = await k(db)
            .selectFrom('shadow_instances')
            .selectAll()
            .where('uuid', '=', gone[2]!.uuid)
            .executeTakeFirstOrThrow()
          assert.equal(Number(shadowRow.id), gone[2]!.id, 'archived rows keep their ids')

          const notYet = await purgeShadowTables(db, { before: new Date(Date.now() - 3_600_000) })
          assert.equal(notYet.shadow_instances, 0)
          const purged = await purgeShadowTables(db)
          assert.equal(purged.shadow_instances, 3)
          assert.equal(await count('shadow_instance_actions_events'), 0)
        }),
      )
    })
  })
}
