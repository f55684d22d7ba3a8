import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { busBackends, databaseBackends } from '../support/backends.js'
import {
  listServers,
  placementUsage,
  prepareProject,
  until,
  withSplitCloud,
  type SplitCloud,
} from '../support/split-cloud.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const rabbit = (await busBackends()).find((b) => b.name === 'rabbit')!
const pg = (await databaseBackends()).find((b) => b.name === 'postgresql')!
const HOST = 'crash-cmp-1'
const FLAVOR = { VCPU: 1, MEMORY_MB: 64, DISK_GB: 1 }

async function boot(cloud: SplitCloud, name: string, flavor: string, image: string, count: number) {
  const res = await cloud.compute('POST', '/v2.1/servers', {
    server: {
      name,
      flavorRef: flavor,
      imageRef: image,
      networks: 'none',
      min_count: count,
      max_count: count,
    },
  })
  assert.equal(res.status, 202, JSON.stringify(res.body))
}

describe('[crash-recovery] kill -9 of nova-compute while instances spawn', () => {
  it(
    '[crash-recovery:postgresql] every instance ends ACTIVE or ERROR with a fault; placement holds exactly the live allocations',
    { skip: pg.skip ?? rabbit.skip, timeout: 480_000 },
    async (t) => {
      await withSplitCloud(
        {
          db: pg,
          rabbitUrl: rabbit.url,
          computeHosts: [HOST],
          // Spawns take seconds, so the kill lands in the middle of them.
          extraConf: '[fake_driver]\nspawn_delay_ms = 4000\n',
        },
        async (cloud) => {
          try {
            const flavor = await prepareProject(cloud)
            const image = await cloud.createImage()
            await boot(cloud, 'before-crash', flavor, image, 6)
            await until(
              'a spawn under way',
              async () =>
                (await listServers(cloud)).some((s) => s['OS-EXT-STS:task_state'] === 'spawning')
                  ? true
                  : undefined,
              60_000,
            )
            const compute = cloud.processes.get(`compute-${HOST}`)!
            compute.child.kill('SIGKILL')
            assert.equal(await compute.exited(), 'SIGKILL')
            t.diagnostic(
              `killed with ${JSON.stringify((await listServers(cloud)).map((s) => s['OS-EXT-STS:task_state']))}`,
            )
            // Built while the compute is down: the casts wait in its queue, and its start-up recovery (as Nova's
            // _init_instance) fails these BUILD instances before it serves the queue; the queued builds then find
            // them no longer building and leave them in ERROR.
            await boot(cloud, 'during-crash', flavor, image, 3)
            await new Promise((r) => setTimeout(r, 1000))
            await cloud.startCompute(HOST)
            await boot(cloud, 'after-restart', flavor, image, 3)

            const settled = await until(
              'every instance settled',
              async () => {
                const servers = await listServers(cloud)
                return servers.length === 12 &&
                  servers.every(
                    (s) => ['ACTIVE', 'ERROR'].includes(s.status) && s['OS-EXT-STS:task_state'] === null,
                  )
                  ? servers
                  : undefined
              },
              90_000,
            )
            t.diagnostic(`settled: ${settled.map((s) => `${s.name} ${s.status}`).join(', ')}`)
            for (const server of settled) {
              if (server.status === 'ERROR') {
                assert.equal(typeof server.fault?.message, 'string', `${server.id} in ERROR has a fault`)
                assert.equal(server['OS-EXT-SRV-ATTR:host'], null, 'an ERROR build holds no host')
              } else {
                assert.equal(server['OS-EXT-SRV-ATTR:host'], HOST)
              }
            }
            for (const server of settled.filter((s) => s.name.startsWith('after-restart')))
              assert.equal(server.status, 'ACTIVE', 'the restarted compute builds')
            assert.ok(settled.every((s) => s.name.startsWith('after-restart') || s.status === 'ERROR'))

            await assertLiveAllocations(cloud, settled)

            // Deleting everything, ERROR ones included, leaves placement empty.
            for (const server of settled) {
              const res = await cloud.compute('DELETE', `/v2.1/servers/${server.id}`)
              assert.equal(res.status, 204, JSON.stringify(res.body))
            }
            await until(
              'every server gone and placement empty',
              async () =>
                (await listServers(cloud)).length === 0 &&
                Object.keys(await placementUsage(cloud)).length === 0
                  ? true
                  : undefined,
              60_000,
            )
          } catch (error) {
            if (error instanceof Error) error.message += `\n${cloud.logs().slice(-20_000)}`
            throw error
          }
        },
      )
    },
  )
})

/** Each ACTIVE server holds the flavor's resources on the compute's provider; nothing else holds any. */
async function assertLiveAllocations(cloud: SplitCloud, servers: readonly Obj[]): Promise<void> {
  // The restarted compute heals placement as it starts; allow its first pass to finish.
  const active = servers.filter((s) => s.status === 'ACTIVE')
  const expected: Record<string, number> = {}
  if (active.length > 0)
    for (const [rc, amount] of Object.entries(FLAVOR)) expected[rc] = amount * active.length
  let usage: Record<string, number> = {}
  await until(
    'placement usage equal to the live instances',
    async () => {
      usage = await placementUsage(cloud)
      return JSON.stringify(sorted(usage)) === JSON.stringify(sorted(expected)) ? true : undefined
    },
    20_000,
  ).catch(() => assert.deepEqual(usage, expected))
  for (const server of servers) {
    const res = await cloud.placement('GET', `/allocations/${server.id}`)
    const allocations = res.body.allocations as Record<string, { resources: Record<string, number> }>
    if (server.status === 'ACTIVE') {
      const providers = Object.values(allocations)
      assert.equal(providers.length, 1, `${server.id} is allocated on one provider`)
      assert.deepEqual(sorted(providers[0]!.resources), sorted(FLAVOR))
    } else {
      assert.deepEqual(allocations, {}, `${server.id} in ERROR holds no allocations`)
    }
  }
}

function sorted(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)))
}
