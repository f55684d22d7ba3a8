import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { makeContext } from '../../src/common/context.js'
import { Invalid, NoValidHost, UnsupportedRpcVersion } from '../../src/common/errors/index.js'
import { silentLogger } from '../../src/common/logger.js'
import type { MessageBus } from '../../src/bus/index.js'
import type { Service } from '../../src/service/service.js'
import type { ServiceRegistry } from '../../src/service/service-registry.js'
import { SchedulerClient } from '../../src/services/scheduler/client.js'
import { createSchedulerService } from '../../src/services/scheduler/index.js'
import type { SelectionDeps } from '../../src/services/scheduler/selection.js'
import { fakeSpec } from '../../src/services/scheduler/testing/fakes.js'
import { busBackends } from '../support/backends.js'
import { openTestBus } from '../support/test-bus.js'
import { fakeCloud, uuids, type FakeCloud } from './support.js'

const registry: ServiceRegistry = { register: async () => ({ id: 1 }), heartbeat: async () => {} }
const ctx = makeContext({ userId: 'user-1', projectId: 'proj-1', roles: ['member'] })

for (const backend of await busBackends()) {
  describe(`[scheduler-rpc:${backend.name}] select_destinations over the bus`, { skip: backend.skip }, () => {
    let bus: MessageBus
    let cloud: FakeCloud
    const services: Service[] = []

    async function start(host: string, selection?: SelectionDeps): Promise<void> {
      const service = createSchedulerService({
        host,
        bus,
        registry,
        reportIntervalS: 60,
        serviceVersion: 1,
        logger: silentLogger(),
        ...(selection === undefined ? {} : { selection }),
      })
      await service.start()
      services.push(service)
    }

    before(async () => {
      bus = await openTestBus(backend)
      cloud = await fakeCloud(6, 3)
    })
    after(async () => {
      for (const s of services) await s.stop(1000)
      await bus.close()
      await cloud.close()
    })

    it('places instances and answers Selections, alternates included', async () => {
      await start('sched-a', cloud.deps())
      const client = new SchedulerClient({ bus, timeoutMs: 10_000 })
      const ids = uuids(2)
      const spec = fakeSpec({ instanceUuid: ids[0]!, numInstances: 2, availabilityZone: 'az2' })
      const picked = await client.selectDestinations(ctx, spec, ids, true)
      assert.equal(picked.length, 2)
      assert.deepEqual(
        picked.map((p) => p.instanceUuid),
        ids,
      )
      for (const p of picked) {
        assert.ok(['cmp-03', 'cmp-04', 'cmp-05'].includes(p.host))
        assert.equal(p.alternates.length, 1)
        const allocation = (await cloud.h.call('GET', `/allocations/${p.instanceUuid}`)).body
        assert.deepEqual(Object.keys(allocation.allocations), [p.computeNodeUuid])
      }
      for (const id of ids) await cloud.h.call('DELETE', `/allocations/${id}`)
    })

    it('NoValidHost comes back as itself with the explanation and the admin detail', async () => {
      const client = new SchedulerClient({ bus, timeoutMs: 10_000 })
      const [id] = uuids(1)
      const spec = fakeSpec({ instanceUuid: id!, flavor: { memoryMb: 99999 } })
      await assert.rejects(client.selectDestinations(undefined, spec, [id!], false), (error: unknown) => {
        assert.ok(error instanceof NoValidHost)
        assert.equal(
          error.message,
          'No valid host was found. 0 of 6 hosts passed: placement: 6 lack MEMORY_MB 99999 (largest free 32768).',
        )
        assert.equal(error.details.eliminated?.[0]?.hosts.length, 6)
        return true
      })
    })

    it('refuses bad arguments and older peers', async () => {
      const client = new SchedulerClient({ bus, timeoutMs: 10_000 })
      await assert.rejects(client.selectDestinations(ctx, fakeSpec(), [], false), Invalid)
      const { flavor: _flavor, ...noFlavor } = fakeSpec()
      await assert.rejects(
        client.selectDestinations(ctx, noFlavor as ReturnType<typeof fakeSpec>, ['x'], false),
        /needs a request spec/,
      )
      const pinned = new SchedulerClient({ bus, timeoutMs: 10_000, versionCap: '1.0' })
      await assert.rejects(pinned.selectDestinations(ctx, fakeSpec(), ['x'], false), UnsupportedRpcVersion)
    })

    it('a scheduler started without selection deps answers a clear error', async () => {
      for (const s of services.splice(0)) await s.stop(1000)
      await start('sched-b')
      const client = new SchedulerClient({ bus, timeoutMs: 10_000 })
      await assert.rejects(
        client.selectDestinations(ctx, fakeSpec(), ['x'], false),
        (error: unknown) =>
          error instanceof Invalid && /without placement and host states/.test(error.message),
      )
    })
  })
}
