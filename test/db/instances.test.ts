import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { UnexpectedStateError } from '../../src/common/errors/index.js'
import { openDatabase, syncSchema } from '../../src/db/index.js'
import { createInstanceActionsRepository } from '../../src/db/repositories/instance-actions.js'
import {
  createInstancesRepository,
  MarkerNotFound,
  UnknownSortKey,
} from '../../src/db/repositories/instances.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

const FLAVOR = { cur: { name: 'm1.tiny', vcpus: 1, memory_mb: 512 } }

for (const backend of await databaseBackends()) {
  describe(`[db:${backend.name}] instances repository`, { skip: backend.skip }, () => {
    it('creates with children, reads them back in batches, updates with expected states, soft-deletes', async () => {
      await withTestDatabase(backend, async (url) => {
        const db = await openDatabase(url)
        try {
          await syncSchema(db, 'main')
          const repo = createInstancesRepository(db)
          const actionsRepo = createInstanceActionsRepository(db)
          const created = await repo.create({
            project_id: 'p1',
            user_id: 'u1',
            display_name: 'vm1',
            vm_state: 'building',
            task_state: 'scheduling',
            power_state: 0,
            vcpus: 1,
            memory_mb: 512,
            locked: false,
            launched_at: null,
            metadata: { role: 'web' },
            system_metadata: { image_min_ram: '0' },
            tags: ['b', 'a', 'a'],
            flavor: FLAVOR,
          })
          assert.match(created.uuid, /^[0-9a-f-]{36}$/)
          assert.equal(created.display_name, 'vm1')
          assert.equal(created.locked, false)
          assert.equal(created.deleted, false)
          assert.ok(created.created_at instanceof Date)
          assert.deepEqual(created.metadata, { role: 'web' })
          assert.deepEqual(created.system_metadata, { image_min_ram: '0' })
          assert.deepEqual(created.tags, ['a', 'b'])
          assert.deepEqual(created.flavor, FLAVOR)
          assert.equal(created.fault, undefined)

          const active = await repo.update(
            created.uuid,
            { vm_state: 'active', task_state: null, power_state: 1, host: 'cn1', launched_at: new Date() },
            { task_state: ['scheduling', 'spawning'] },
          )
          assert.equal(active.vm_state, 'active')
          assert.equal(active.task_state, null)
          assert.ok(active.launched_at instanceof Date)
          await assert.rejects(
            repo.update(created.uuid, { task_state: 'deleting' }, { task_state: ['spawning'] }),
            UnexpectedStateError,
          )

          await repo.setMetadata(created.uuid, { tier: 'gold' }, false)
          assert.deepEqual((await repo.get(created.uuid))!.metadata, { role: 'web', tier: 'gold' })
          await repo.setMetadata(created.uuid, { only: 'this' }, true)
          assert.deepEqual((await repo.get(created.uuid))!.metadata, { only: 'this' })
          assert.equal(await repo.deleteMetadataKey(created.uuid, 'only'), true)
          assert.equal(await repo.deleteMetadataKey(created.uuid, 'only'), false)
          await repo.setTags(created.uuid, ['x'])
          assert.deepEqual((await repo.get(created.uuid))!.tags, ['x'])

          await repo.addFault(created.uuid, { code: 500, message: 'first' })
          await repo.addFault(created.uuid, {
            code: 500,
            message: 'No valid host was found. ' + 'x'.repeat(400),
          })
          const faulted = (await repo.get(created.uuid))!
          assert.match(faulted.fault!.message, /^No valid host was found\./)
          assert.equal(faulted.fault!.message.length, 255)

          const action = await actionsRepo.startAction(created.uuid, {
            action: 'create',
            requestId: 'req-1',
            userId: 'u1',
            projectId: 'p1',
          })
          const event = await actionsRepo.startEvent(action, 'compute__do_build_and_run_instance', 'cn1')
          await actionsRepo.finishEvent(event, 'Success')
          await actionsRepo.finishAction(action)
          const actions = await actionsRepo.actions(created.uuid)
          assert.equal(actions.length, 1)
          assert.equal(actions[0]!.request_id, 'req-1')
          assert.ok(actions[0]!.finish_time instanceof Date)
          assert.deepEqual(
            actions[0]!.events.map((e) => [e.event, e.result, e.host]),
            [['compute__do_build_and_run_instance', 'Success', 'cn1']],
          )

          assert.equal(await repo.softDelete(created.uuid), true)
          assert.equal(await repo.softDelete(created.uuid), false)
          assert.equal(await repo.get(created.uuid), undefined)
          const gone = (await repo.get(created.uuid, { withDeleted: true }))!
          assert.equal(gone.deleted, true)
          assert.ok(gone.deleted_at instanceof Date)
          assert.deepEqual(gone.metadata, {}, 'metadata went with it')
        } finally {
          await db.close()
        }
      })
    })

    it('lists with filters and keyset pages that neither skip nor repeat, children loaded per page', async () => {
      await withTestDatabase(backend, async (url) => {
        const db = await openDatabase(url)
        try {
          await syncSchema(db, 'main')
          const repo = createInstancesRepository(db)
          const made: string[] = []
          for (let i = 0; i < 25; i++) {
            const inst = await repo.create({
              project_id: i % 5 === 0 ? 'p2' : 'p1',
              user_id: 'u1',
              display_name: `vm-${String(i % 7).padStart(2, '0')}`,
              vm_state: i % 3 === 0 ? 'error' : 'active',
              task_state: i % 4 === 0 ? 'deleting' : null,
              host: i % 2 === 0 ? 'cn1' : null,
              tags: i % 2 === 0 ? ['even'] : ['odd', 'x'],
              metadata: { i: String(i) },
            })
            made.push(inst.uuid)
          }
          assert.equal((await repo.list({ projectId: 'p2' })).length, 5)
          assert.equal((await repo.list({ vmStates: ['error'] })).length, 9)
          assert.equal((await repo.list({ taskStates: [null] })).length, 18)
          assert.equal((await repo.list({ taskStates: ['deleting', null] })).length, 25)
          assert.equal((await repo.list({ host: 'cn1' })).length, 13)
          assert.equal((await repo.list({ tags: ['odd', 'x'] })).length, 12)
          assert.equal((await repo.list({ tags: ['odd', 'even'] })).length, 0)
          assert.equal((await repo.list({ tagsAny: ['odd', 'even'] })).length, 25)
          assert.equal((await repo.list({ notTagsAny: ['x'] })).length, 13)
          assert.equal((await repo.list({ name: 'vm-0%', nameLike: true })).length, 25)
          // i % 7 in {1, 2}: 4 + 4 of the 25; a search anywhere in the name, as Nova's regexp filter.
          assert.equal((await repo.list({ nameRegexp: '^vm-0[12]$' })).length, 8)
          assert.equal((await repo.list({ nameRegexp: '-06' })).length, 3)
          assert.equal((await repo.list({ nameRegexp: '^06' })).length, 0)
          assert.equal((await repo.list({ uuids: made.slice(0, 3) })).length, 3)

          for (const [keys, dirs] of [
            [['display_name'], ['asc']],
            [
              ['host', 'display_name'],
              ['desc', 'asc'],
            ],
            [['created_at'], ['desc']],
          ] as const) {
            const all = await repo.list({}, { sortKeys: keys, sortDirs: dirs })
            const paged: string[] = []
            let marker: string | undefined
            for (;;) {
              const page = await repo.list(
                {},
                { sortKeys: keys, sortDirs: dirs, limit: 4, ...(marker === undefined ? {} : { marker }) },
              )
              if (page.length === 0) break
              for (const inst of page) assert.equal(inst.metadata.i !== undefined, true, 'children loaded')
              paged.push(...page.map((p) => p.uuid))
              marker = page.at(-1)!.uuid
            }
            assert.deepEqual(
              paged,
              all.map((a) => a.uuid),
              `paging by ${keys.join(',')} matches one query`,
            )
            assert.equal(new Set(paged).size, 25)
          }
          const byName = await repo.list({}, { sortKeys: ['display_name'], sortDirs: ['asc'] })
          const names = byName.map((i) => i.display_name!)
          assert.deepEqual(names, [...names].sort())
          await assert.rejects(repo.list({}, { sortKeys: ['user_data'] }), UnknownSortKey)
          await assert.rejects(repo.list({}, { marker: randomUUID() }), MarkerNotFound)
        } finally {
          await db.close()
        }
      })
    })
  })
}
