import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema } from '../../src/db/index.js'
import type { UntypedKysely } from '../../src/db/untyped.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { auditAllocations } from '../../src/services/scheduler/allocation-audit.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'
import { placementHarness } from '../placement/support.js'

for (const backend of await databaseBackends()) {
  describe(`[db:${backend.name}] placement allocation audit`, { skip: backend.skip }, () => {
    it('reports and removes orphaned allocations and heals instances that have none', async () => {
      const h = await placementHarness()
      try {
        await withTestDatabase(backend, async (url) => {
          const db = await openDatabase(url)
          try {
            await syncSchema(db, 'main')
            await syncSchema(db, 'api')
            const k = db.kysely as UntypedKysely
            const placement = new PlacementClient(h.transport)
            const nodes: Record<string, string> = {}
            for (const name of ['cn1', 'cn2']) {
              const rp = (await h.call('POST', '/resource_providers', { name })).body.uuid as string
              await h.call('PUT', `/resource_providers/${rp}/inventories`, {
                resource_provider_generation: 0,
                inventories: { VCPU: { total: 16 }, MEMORY_MB: { total: 16384 }, DISK_GB: { total: 200 } },
              })
              await k
                .insertInto('compute_nodes')
                .values({ uuid: rp, host: name, hypervisor_hostname: name, deleted: 0 })
                .execute()
              nodes[name] = rp
            }
            const owner = { projectId: 'proj', userId: 'user' }
            const flavor = { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 }
            const instance = async (uuid: string, node: string, deleted = false) => {
              await k
                .insertInto('instances')
                .values({
                  uuid,
                  host: node,
                  node,
                  vm_state: 'active',
                  vcpus: 1,
                  memory_mb: 512,
                  root_gb: 1,
                  ephemeral_gb: 0,
                  project_id: 'proj',
                  user_id: 'user',
                  deleted: 0,
                })
                .execute()
              if (deleted)
                await k.updateTable('instances').set({ deleted: 1 }).where('uuid', '=', uuid).execute()
            }
            const [good, vanished, softDeleted, moved, unallocated, migration] = Array.from(
              { length: 6 },
              () => randomUUID(),
            )
            await instance(good!, 'cn1')
            await instance(vanished!, 'cn1')
            await instance(softDeleted!, 'cn1', true)
            await instance(moved!, 'cn2')
            await instance(unallocated!, 'cn2')
            for (const uuid of [good!, vanished!, softDeleted!])
              assert.equal(
                await placement.claim(uuid, { [nodes.cn1!]: { resources: flavor } }, owner),
                'claimed',
              )
            assert.equal(
              await placement.claim(
                moved!,
                { [nodes.cn1!]: { resources: flavor }, [nodes.cn2!]: { resources: flavor } },
                owner,
              ),
              'claimed',
            )
            assert.equal(
              await placement.claim(
                migration!,
                { [nodes.cn1!]: { resources: flavor } },
                { ...owner, consumerType: 'MIGRATION' },
              ),
              'claimed',
            )
            // An instance still being built has its claim but only a build request, no instance record yet.
            const inFlight = randomUUID()
            await k
              .insertInto('build_requests')
              .values({ instance_uuid: inFlight, project_id: 'proj', instance: '{}' })
              .execute()
            assert.equal(
              await placement.claim(inFlight, { [nodes.cn2!]: { resources: flavor } }, owner),
              'claimed',
            )
            // An instance being built: claimed on cn1, its record not yet on a node.
            const building = randomUUID()
            await k
              .insertInto('instances')
              .values({ uuid: building, vm_state: 'building', task_state: 'scheduling', deleted: 0 })
              .execute()
            assert.equal(
              await placement.claim(building, { [nodes.cn1!]: { resources: flavor } }, owner),
              'claimed',
            )
            // The instance record disappears behind placement's back.
            await k.deleteFrom('instances').where('uuid', '=', vanished!).execute()

            const deps = { mainDb: db, apiDb: db, placement, logger: silentLogger() }
            const report = await auditAllocations(deps, { delete: false, heal: false })
            const orphans = report.orphans.map((o) => `${o.consumer}@${o.provider}:${o.reason}`).sort()
            assert.deepEqual(
              orphans,
              [
                `${vanished}@${nodes.cn1}:no such instance`,
                `${softDeleted}@${nodes.cn1}:instance deleted`,
                `${moved}@${nodes.cn1}:instance on another node`,
              ].sort(),
            )
            assert.deepEqual(report.missing, [
              {
                instance: unallocated,
                provider: nodes.cn2,
                resources: { VCPU: 1, MEMORY_MB: 512, DISK_GB: 1 },
              },
            ])
            assert.equal(report.deleted, 0)
            assert.ok(
              Object.keys((await placement.allocationsOf(vanished!)).allocations).length > 0,
              'report only',
            )

            const fixed = await auditAllocations(deps, { delete: true, heal: true })
            assert.equal(fixed.deleted, 3)
            assert.equal(fixed.healed, 1)
            assert.deepEqual((await placement.allocationsOf(vanished!)).allocations, {})
            assert.deepEqual((await placement.allocationsOf(softDeleted!)).allocations, {})
            assert.deepEqual(Object.keys((await placement.allocationsOf(moved!)).allocations), [nodes.cn2])
            assert.deepEqual(Object.keys((await placement.allocationsOf(good!)).allocations), [nodes.cn1])
            assert.deepEqual(Object.keys((await placement.allocationsOf(migration!)).allocations), [
              nodes.cn1,
            ])
            assert.deepEqual(
              (await placement.allocationsOf(unallocated!)).allocations[nodes.cn2!]?.resources,
              flavor,
            )
            const usage = (await h.call('GET', `/resource_providers/${nodes.cn1}/usages`)).body.usages
            assert.deepEqual(
              usage,
              { VCPU: 3, MEMORY_MB: 1536, DISK_GB: 3 },
              'good, migration and building remain on cn1',
            )

            const clean = await auditAllocations(deps, { delete: true, heal: true })
            assert.deepEqual([clean.orphans.length, clean.missing.length], [0, 0])
          } finally {
            await db.close()
          }
        })
      } finally {
        await h.close()
      }
    })
  })
}
