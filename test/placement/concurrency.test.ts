import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { openDatabase, syncSchema } from '../../src/db/index.js'
import { PlacementError } from '../../src/services/placement/errors.js'
import { createPlacementDeps } from '../../src/services/placement/store/create-deps.js'
import type { PlacementDeps } from '../../src/services/placement/placement-deps.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

const SETTINGS: PlacementDeps['settings'] = {
  randomizeCandidates: false,
  incompleteConsumerProjectId: 'p0',
  incompleteConsumerUserId: 'u0',
}
const RACES = 8
const WRITERS = 4

for (const backend of await databaseBackends()) {
  describe(
    `[db:${backend.name}] placement allocation writers racing for capacity`,
    { skip: backend.skip },
    () => {
      it(`${WRITERS} writers on separate connections race for the last VCPU ${RACES} times: exactly one wins`, async () => {
        await withTestDatabase(backend, async (url) => {
          const setup = await openDatabase(url)
          await syncSchema(setup, 'api')
          const handles = await Promise.all(Array.from({ length: WRITERS }, () => openDatabase(url)))
          try {
            const admin = createPlacementDeps(setup, SETTINGS)
            const writers = handles.map((db) => createPlacementDeps(db, SETTINGS))
            for (let race = 0; race < RACES; race++) {
              const rp = await admin.providers.create({ uuid: randomUUID(), name: `cn-${race}` })
              // capacity (4 − 0) × 1.0 = 4; 3 already used, so one unit is left.
              await admin.inventories.replace(
                rp,
                0,
                new Map([
                  [
                    'VCPU',
                    { total: 4, reserved: 0, min_unit: 1, max_unit: 4, step_size: 1, allocation_ratio: 1 },
                  ],
                ]),
              )
              await admin.allocations.replace([
                {
                  consumer: randomUUID(),
                  allocations: new Map([[rp.uuid, new Map([['VCPU', 3]])]]),
                  projectId: 'p',
                  userId: 'u',
                  consumerGeneration: null,
                  consumerType: 'INSTANCE',
                },
              ])
              const consumers = writers.map(() => randomUUID())
              const outcomes = await Promise.allSettled(
                writers.map((w, i) =>
                  w.allocations.replace([
                    {
                      consumer: consumers[i]!,
                      allocations: new Map([[rp.uuid, new Map([['VCPU', 1]])]]),
                      projectId: 'p',
                      userId: 'u',
                      consumerGeneration: null,
                      consumerType: 'INSTANCE',
                    },
                  ]),
                ),
              )
              const won = outcomes.filter((o) => o.status === 'fulfilled')
              const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
              assert.equal(
                won.length,
                1,
                `race ${race}: exactly one writer wins (${lost.map((l) => String(l.reason)).join('; ')})`,
              )
              for (const l of lost) {
                assert.ok(l.reason instanceof PlacementError, String(l.reason))
                assert.equal(l.reason.status, 409)
                assert.match(l.reason.detail, /would exceed the capacity/)
              }
              const usage = await admin.allocations.usagesOfProvider(rp.id)
              assert.equal(usage.VCPU, 4, 'capacity is used exactly, never over-committed')
              const winner = consumers[outcomes.findIndex((o) => o.status === 'fulfilled')]!
              assert.equal(
                (await admin.allocations.ofConsumer(winner)).allocations.get(rp.uuid)?.resources.VCPU,
                1,
              )
            }
          } finally {
            for (const db of handles) await db.close()
            await setup.close()
          }
        })
      })
    },
  )
}
