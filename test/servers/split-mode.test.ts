import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { busBackends, databaseBackends } from '../support/backends.js'
import { listServers, placementUsage, prepareProject, until, withSplitCloud } from '../support/split-cloud.js'

const rabbit = (await busBackends()).find((b) => b.name === 'rabbit')!
const engines = (await databaseBackends()).filter((b) => b.name !== 'sqlite')
const HOSTS = ['split-cmp-1', 'split-cmp-2', 'split-cmp-3']

describe('[split-mode] nova daemons as separate processes boot and delete 50 servers', () => {
  for (const engine of engines.filter(
    (e) => process.env.SPLIT_ONLY === undefined || e.name === process.env.SPLIT_ONLY,
  )) {
    it(
      `[split-mode:${engine.name}] on RabbitMQ + ${engine.name}`,
      { skip: engine.skip ?? rabbit.skip, timeout: 600_000 },
      async (t) => {
        const s0 = Date.now()
        await withSplitCloud({ db: engine, rabbitUrl: rabbit.url, computeHosts: HOSTS }, async (cloud) => {
          t.diagnostic(`daemons up in ${Date.now() - s0} ms`)
          try {
            const t0 = Date.now()
            const flavor = await prepareProject(cloud)
            const image = await cloud.createImage()
            // Five batches of ten, in parallel.
            const creates = await Promise.all(
              [0, 1, 2, 3, 4].map((batch) =>
                cloud.compute('POST', '/v2.1/servers', {
                  server: {
                    name: `split-${batch}`,
                    flavorRef: flavor,
                    imageRef: image,
                    networks: 'none',
                    min_count: 10,
                    max_count: 10,
                  },
                }),
              ),
            )
            for (const res of creates) assert.equal(res.status, 202, JSON.stringify(res.body))
            const active = await until(
              '50 servers ACTIVE',
              async () => {
                const servers = await listServers(cloud)
                const failed = servers.find((s) => s.status === 'ERROR')
                if (failed !== undefined) throw new Error(`server in ERROR: ${JSON.stringify(failed.fault)}`)
                return servers.length === 50 && servers.every((s) => s.status === 'ACTIVE')
                  ? servers
                  : undefined
              },
              120_000,
            )
            t.diagnostic(`50 ACTIVE ${Date.now() - t0} ms after the first request`)
            const hosts = new Set(active.map((s) => s['OS-EXT-SRV-ATTR:host'] as string))
            assert.deepEqual([...hosts].sort(), HOSTS, 'spread over the three computes')
            assert.deepEqual(await placementUsage(cloud), { VCPU: 50, MEMORY_MB: 50 * 64, DISK_GB: 50 })

            const ids = active.map((s) => s.id as string)
            for (let i = 0; i < ids.length; i += 10) {
              const deletes = await Promise.all(
                ids.slice(i, i + 10).map((id) => cloud.compute('DELETE', `/v2.1/servers/${id}`)),
              )
              for (const res of deletes) assert.equal(res.status, 204, JSON.stringify(res.body))
            }
            await until(
              'every server deleted',
              async () => ((await listServers(cloud)).length === 0 ? true : undefined),
              120_000,
            )
            t.diagnostic(`50 deleted ${Date.now() - t0} ms after the first request`)
            // The conductor frees placement right after the soft delete (as Nova's _complete_deletion): wait a moment.
            let usage: Record<string, number> = {}
            await until(
              'placement holds no allocations',
              async () => {
                usage = await placementUsage(cloud)
                return Object.keys(usage).length === 0 ? true : undefined
              },
              15_000,
            ).catch(() => assert.deepEqual(usage, {}, 'placement holds no allocations'))
            for (const id of ids.slice(0, 5)) {
              const allocations = await cloud.placement('GET', `/allocations/${id}`)
              assert.deepEqual(allocations.body.allocations, {})
            }
          } catch (error) {
            if (error instanceof Error) error.message += `\n${cloud.logs().slice(-20_000)}`
            throw error
          }
        })
      },
    )
  }
})
