import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminContext } from '../../src/common/context.js'
import { systemClock } from '../../src/common/clock.js'
import { Invalid } from '../../src/common/errors/index.js'
import { createComputeNodesRepository } from '../../src/db/index.js'
import { CONDUCTOR_RPC_HISTORY, CONDUCTOR_RPC_VERSION } from '../../src/services/conductor/client.js'
import { createDbHostStateSource, SINGLE_CELL_UUID } from '../../src/services/scheduler/index.js'
import { busBackends, databaseBackends } from '../support/backends.js'
import { conductorHarness, type ConductorHarness } from './support.js'

const ctx = adminContext()
const noAggregates = { list: async () => [] }

const report = {
  vcpus: 8,
  memory_mb: 16384,
  local_gb: 100,
  vcpus_used: 2,
  memory_mb_used: 4608,
  local_gb_used: 10,
  free_ram_mb: 11776,
  free_disk_gb: 90,
  hypervisor_type: 'fake',
  hypervisor_version: 1000,
  running_vms: 2,
  current_workload: 0,
  host_ip: '10.0.0.7',
  cpu_info: '{}',
  supported_instances: JSON.stringify([['x86_64', 'fake', 'hvm']]),
  stats: JSON.stringify({ failed_builds: 0, num_instances: 2 }),
}

it('the conductor RPC history ends at the version it serves', () => {
  assert.equal(CONDUCTOR_RPC_HISTORY.at(-1)!.version, CONDUCTOR_RPC_VERSION)
  assert.equal(CONDUCTOR_RPC_VERSION, '1.8')
})

for (const database of await databaseBackends()) {
  for (const bus of await busBackends()) {
    // PostgreSQL and MariaDB on the in-process bus, and every database with RabbitMQ would be 6 runs; the bus
    // does not change what the conductor writes, so RabbitMQ runs on SQLite only.
    if (bus.name === 'rabbit' && database.name !== 'sqlite') continue
    const skip = database.skip ?? bus.skip
    describe(
      `[conductor:${database.name}] compute_node_update over the ${bus.name} bus`,
      { skip: skip ?? false },
      () => {
        let h: ConductorHarness
        before(async () => {
          h = await conductorHarness(database, bus)
        })
        after(async () => h?.close())

        it('creates the node with a uuid made once, links its service, and keeps the uuid on updates', async () => {
          const service = await h.services.create({
            host: 'cmp1',
            binary: 'nova-compute',
            topic: 'compute',
            version: 1,
          })
          const first = await h.client.computeNodeUpdate(ctx, 'cmp1', 'cmp1.node', report, {
            cpu_allocation_ratio: 4,
            ram_allocation_ratio: 1,
            disk_allocation_ratio: 1,
          })
          assert.match(first.uuid, /^[0-9a-f-]{36}$/)
          assert.equal(first.host, 'cmp1')
          assert.equal(first.hypervisor_hostname, 'cmp1.node')
          assert.equal(first.service_id, service.id)
          assert.equal(first.service_disabled, false)
          assert.equal(first.vcpus, 8)
          assert.equal(first.cpu_allocation_ratio, 4)
          assert.equal(typeof first.created_at, 'string')

          await h.services.update(service.id, { disabled: true, disabledReason: 'maintenance' })
          const second = await h.client.computeNodeUpdate(
            ctx,
            'cmp1',
            'cmp1.node',
            { ...report, vcpus_used: 3, running_vms: 3 },
            { cpu_allocation_ratio: 16 },
          )
          assert.equal(second.uuid, first.uuid, 'the uuid is kept')
          assert.equal(second.id, first.id)
          assert.equal(second.vcpus_used, 3)
          assert.equal(second.cpu_allocation_ratio, 4, 'defaults do not overwrite a value')
          assert.equal(second.service_disabled, true)

          const third = await h.client.computeNodeUpdate(ctx, 'cmp1', 'cmp1.node', {
            cpu_allocation_ratio: 2.5,
          })
          assert.equal(third.cpu_allocation_ratio, 2.5, 'fields do')
          assert.equal((await createComputeNodesRepository(h.db).list({ host: 'cmp1' })).length, 1)
        })

        it('refuses identity columns, unknown fields and wrong types with Invalid', async () => {
          for (const fields of [
            { uuid: 'x' },
            { host: 'other' },
            { deleted: 1 },
            { vcpus: 'many' },
            { stats: 3 },
          ])
            await assert.rejects(
              h.client.computeNodeUpdate(ctx, 'cmp2', 'cmp2', fields as never),
              (e: unknown) => e instanceof Invalid,
              JSON.stringify(fields),
            )
          await assert.rejects(h.client.computeNodeUpdate(ctx, '', 'n', {}), Invalid)
          assert.equal(await createComputeNodesRepository(h.db).getByHostAndNode('cmp2', 'cmp2'), undefined)
        })

        it('first reports of one node racing end with one row', async () => {
          const views = await Promise.all(
            Array.from({ length: 5 }, () => h.client.computeNodeUpdate(ctx, 'cmp3', 'cmp3', report)),
          )
          assert.equal(new Set(views.map((v) => v.uuid)).size, 1)
          assert.equal((await createComputeNodesRepository(h.db).list({ host: 'cmp3' })).length, 1)
        })

        it("is what the scheduler's host states read", async () => {
          await h.services.create({ host: 'cmp4', binary: 'nova-compute', topic: 'compute', version: 1 })
          const node = await h.client.computeNodeUpdate(ctx, 'cmp4', 'cmp4', report, {
            ram_allocation_ratio: 1.5,
          })
          const [state] = await createDbHostStateSource({
            mainDb: h.db,
            aggregates: noAggregates,
            cellUuid: SINGLE_CELL_UUID,
            serviceDownTimeS: 60,
            defaultAvailabilityZone: 'nova',
            clock: systemClock,
          }).hostStates([node.uuid])
          assert.ok(state)
          assert.equal(state.host, 'cmp4')
          assert.equal(state.nodename, 'cmp4')
          assert.equal(state.vcpusTotal, 8)
          assert.equal(state.vcpusUsed, 2)
          assert.equal(state.freeRamMb, 11776)
          assert.equal(state.freeDiskMb, 90 * 1024)
          assert.equal(state.hostIp, '10.0.0.7')
          assert.deepEqual(state.supportedInstances, [['x86_64', 'fake', 'hvm']])
          assert.equal(state.ramAllocationRatio, 1.5)
          assert.equal(state.serviceUp, true)
        })
      },
    )
  }
}
