import type { UntypedKysely } from '../../src/db/untyped.js'
import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { UnexpectedStateError } from '../../src/common/errors/index.js'
import { openDatabase, syncSchema, updateWithExpectedState } from '../../src/db/index.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

const RACES = 20

for (const backend of await databaseBackends()) {
  describe(`[db-race:${backend.name}] racing state transitions`, { skip: backend.skip }, () => {
    it(`two writers on separate connections race ${RACES} times: exactly one wins each race`, async () => {
      await withTestDatabase(backend, async (url) => {
        const setup = await openDatabase(url)
        await syncSchema(setup, 'main')
        // Two independent handles: separate pools on PostgreSQL/MariaDB, separate connections on SQLite.
        const writers = [await openDatabase(url), await openDatabase(url)]
        try {
          for (let race = 0; race < RACES; race++) {
            const uuid = randomUUID()
            await (setup.kysely as UntypedKysely)
              .insertInto('instances')
              .values({ uuid, vm_state: 'active', task_state: null, deleted: 0 })
              .execute()
            const outcomes = await Promise.allSettled(
              writers.map((db, i) =>
                updateWithExpectedState(db, {
                  table: 'instances',
                  idColumn: 'uuid',
                  id: uuid,
                  expected: { task_state: [null] },
                  changes: { task_state: i === 0 ? 'deleting' : 'rebooting' },
                }),
              ),
            )
            const won = outcomes.filter((o) => o.status === 'fulfilled')
            const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
            assert.equal(won.length, 1, `race ${race}: exactly one winner`)
            assert.equal(lost.length, 1)
            assert.ok(lost[0]!.reason instanceof UnexpectedStateError, String(lost[0]!.reason))
            const row = await (setup.kysely as UntypedKysely)
              .selectFrom('instances')
              .select('task_state')
              .where('uuid', '=', uuid)
              .executeTakeFirstOrThrow()
            const winner = (won[0] as PromiseFulfilledResult<Record<string, unknown>>).value
            assert.equal(row.task_state, winner.task_state, 'the stored state is the winner’s')
          }
        } finally {
          for (const db of writers) await db.close()
          await setup.close()
        }
      })
    })
  })
}
