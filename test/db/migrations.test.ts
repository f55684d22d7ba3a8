import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { UnexpectedStateError } from '../../src/common/errors/index.js'
import { openDatabase, syncSchema } from '../../src/db/index.js'
import { createInstancesRepository } from '../../src/db/repositories/instances.js'
import { createMovesRepository } from '../../src/db/repositories/migrations.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

for (const backend of await databaseBackends()) {
  describe(`[db:${backend.name}] migrations repository`, { skip: backend.skip }, () => {
    it('records a live migration: statuses with expected states, progress in bytes past 32 bits', async () => {
      await withTestDatabase(backend, async (url) => {
        const db = await openDatabase(url)
        try {
          await syncSchema(db, 'main')
          const moves = createMovesRepository(db)
          const { uuid: instance } = await createInstancesRepository(db).create({
            project_id: 'p1',
            user_id: 'u1',
            vm_state: 'active',
            host: 'cmp-1',
          })
          const created = await moves.create({
            instance_uuid: instance,
            migration_type: 'live-migration',
            status: 'accepted',
            source_compute: 'cmp-1',
            source_node: 'cmp-1',
          })
          assert.equal(created.memory_total, null)
          assert.equal(created.disk_remaining, null)
          await moves.update(
            created.id,
            { status: 'running' },
            { status: ['accepted', 'queued', 'preparing'] },
          )
          const big = 10 * 1024 ** 3
          const progress = await moves.update(created.id, {
            memory_total: 4 * 1024 ** 3,
            memory_processed: 3 * 1024 ** 3,
            memory_remaining: 1024 ** 3,
            disk_total: big,
            disk_processed: big - 1,
            disk_remaining: 1,
          })
          assert.deepEqual(
            [
              progress.memory_total,
              progress.memory_processed,
              progress.memory_remaining,
              progress.disk_total,
              progress.disk_processed,
              progress.disk_remaining,
            ],
            [4 * 1024 ** 3, 3 * 1024 ** 3, 1024 ** 3, big, big - 1, 1],
          )
          // Abort and completion race: only one of them moves the status on from running.
          await moves.update(created.id, { status: 'completed' }, { status: ['running'] })
          await assert.rejects(
            moves.update(created.id, { status: 'cancelled' }, { status: ['running'] }),
            UnexpectedStateError,
          )
          const [listed] = await moves.ofInstance(instance, ['completed'])
          assert.equal(listed?.status, 'completed')
          assert.equal(listed?.migration_type, 'live-migration')
          assert.equal(listed?.disk_total, big)
        } finally {
          await db.close()
        }
      })
    })
  })
}
