import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { openDatabase, syncSchema } from '../../src/db/index.js'
import type { UntypedKysely } from '../../src/db/untyped.js'
import { createDbAggregateSource, createDbHostStateSource } from '../../src/services/scheduler/index.js'
import { databaseBackends } from '../support/backends.js'
import { withTestDatabase } from '../support/test-database.js'

const NOW = new Date('2026-11-30T12:00:00Z')

for (const backend of await databaseBackends()) {
  describe(
    `[db:${backend.name}] scheduler host states and aggregates from the databases`,
    { skip: backend.skip },
    () => {
      it('builds host states with zone, service state, instances and I/O load, in a fixed number of queries', async () => {
        await withTestDatabase(backend, async (url) => {
          const db = await openDatabase(url)
          try {
            await syncSchema(db, 'main')
            await syncSchema(db, 'api')
            const k = db.kysely as UntypedKysely
            const d = db.differences
            const at = (s: number) => d.toDbDate(new Date(NOW.getTime() - s * 1000))
            const nodes = [randomUUID(), randomUUID(), randomUUID()]
            for (const [i, host] of ['cn1', 'cn2', 'cn3'].entries()) {
              await k
                .insertInto('services')
                .values({
                  uuid: randomUUID(),
                  host,
                  binary: 'nova-compute',
                  topic: 'compute',
                  report_count: 1,
                  disabled: d.toDbBool(host === 'cn3'),
                  forced_down: d.toDbBool(false),
                  version: 1,
                  created_at: at(600),
                  updated_at: at(host === 'cn2' ? 300 : 5),
                  deleted: 0,
                })
                .execute()
              await k
                .insertInto('compute_nodes')
                .values({
                  uuid: nodes[i],
                  host,
                  hypervisor_hostname: `${host}.local`,
                  hypervisor_type: 'fake',
                  hypervisor_version: 1000,
                  vcpus: 8,
                  memory_mb: 16384,
                  local_gb: 100,
                  vcpus_used: 2,
                  memory_mb_used: 4096,
                  local_gb_used: 10,
                  host_ip: `10.0.0.${i + 1}`,
                  supported_instances: JSON.stringify([['x86_64', 'qemu', 'hvm']]),
                  stats: JSON.stringify({ failed_builds: i }),
                  ram_allocation_ratio: 1.5,
                  deleted: 0,
                })
                .execute()
            }
            for (const [uuid, vm, task] of [
              [randomUUID(), 'active', null],
              [randomUUID(), 'building', null],
              [randomUUID(), 'active', 'image_snapshot'],
            ] as const)
              await k
                .insertInto('instances')
                .values({ uuid, host: 'cn1', node: 'cn1.local', vm_state: vm, task_state: task, deleted: 0 })
                .execute()
            const aggUuid = randomUUID()
            await k.insertInto('aggregates').values({ uuid: aggUuid, name: 'az2-hosts' }).execute()
            const agg = (await k.selectFrom('aggregates').select('id').executeTakeFirstOrThrow()) as {
              id: unknown
            }
            await k
              .insertInto('aggregate_hosts')
              .values({ host: 'cn1', aggregate_id: Number(agg.id) })
              .execute()
            await k
              .insertInto('aggregate_metadata')
              .values({ aggregate_id: Number(agg.id), key: 'availability_zone', value: 'az2' })
              .execute()

            const aggregates = createDbAggregateSource(db)
            const listed = await aggregates.list()
            assert.deepEqual(
              listed.map((a) => ({ uuid: a.uuid, hosts: a.hosts, metadata: a.metadata })),
              [{ uuid: aggUuid, hosts: ['cn1'], metadata: { availability_zone: 'az2' } }],
            )
            const source = createDbHostStateSource({
              mainDb: db,
              aggregates,
              cellUuid: 'cell1',
              serviceDownTimeS: 60,
              defaultAvailabilityZone: 'nova',
              clock: { now: () => NOW },
            })
            assert.equal(await source.countHosts(), 3)
            const states = await source.hostStates([nodes[0]!, nodes[1]!, nodes[2]!, randomUUID()])
            const by = new Map(states.map((s) => [s.host, s]))
            assert.equal(states.length, 3)
            const cn1 = by.get('cn1')!
            assert.equal(cn1.nodename, 'cn1.local')
            assert.equal(cn1.uuid, nodes[0])
            assert.equal(cn1.availabilityZone, 'az2')
            assert.deepEqual(
              cn1.aggregates.map((a) => a.uuid),
              [aggUuid],
            )
            assert.equal(cn1.numInstances, 3)
            assert.equal(cn1.numIoOps, 2, 'one building, one snapshotting')
            assert.equal(cn1.freeRamMb, 12288)
            assert.equal(cn1.freeDiskMb, 90 * 1024)
            assert.equal(cn1.ramAllocationRatio, 1.5)
            assert.deepEqual(cn1.supportedInstances, [['x86_64', 'qemu', 'hvm']])
            assert.equal(cn1.serviceUp, true)
            assert.equal(by.get('cn2')!.serviceUp, false, 'last heartbeat 300 s ago, service_down_time 60')
            assert.equal(by.get('cn2')!.availabilityZone, 'nova')
            assert.equal(by.get('cn3')!.serviceDisabled, true)
            assert.equal(by.get('cn3')!.failedBuilds, 2)
            // Fresh objects every call: the scheduler consumes resources in them.
            const again = await source.hostStates([nodes[0]!])
            again[0]!.freeRamMb = 0
            assert.equal((await source.hostStates([nodes[0]!]))[0]!.freeRamMb, 12288)
          } finally {
            await db.close()
          }
        })
      })
    },
  )
}
