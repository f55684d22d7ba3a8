import { busBackends, databaseBackends } from '../test/support/backends.js'
import { prepareProject, withSplitCloud } from '../test/support/split-cloud.js'
import { bootAll, deleteAll, detailLoad, rssMiB, withCpu, type Cloud } from './boot.js'
import { printTable } from './table.js'

const COMPUTES = ['bench-cmp-1', 'bench-cmp-2', 'bench-cmp-3']

/**
 * The split variant: every daemon a process of its own (three nova-compute, fake driver) on RabbitMQ +
 * PostgreSQL, as test/servers/split-mode.test.ts runs them: 100 servers to ACTIVE, their delete, the detail
 * latency with 100 servers, and the RSS of each process.
 */
export async function benchBootSplit(): Promise<void> {
  const rabbit = (await busBackends()).find((b) => b.name === 'rabbit')!
  const pg = (await databaseBackends()).find((b) => b.name === 'postgresql')!
  if (rabbit.skip !== undefined || pg.skip !== undefined) {
    process.stdout.write(`split variant skipped: ${rabbit.skip ?? pg.skip}\n`)
    return
  }
  await withSplitCloud({ db: pg, rabbitUrl: rabbit.url, computeHosts: COMPUTES }, async (split) => {
    const flavor = await prepareProject(split)
    const image = await split.createImage()
    const cloud: Cloud = {
      compute: split.compute,
      computeUrl: split.computeUrl,
      headers: { 'x-auth-token': await split.token(), 'openstack-api-version': 'compute latest' },
    }
    const rssIdle = new Map([...split.processes].map(([name, p]) => [name, rssMiB(p.child.pid!)]))
    const api = split.processes.get('api')!.child.pid!
    const [t100, c100] = await withCpu(api, () => bootAll(cloud, { flavor, image }, 100))
    const detail = await detailLoad(cloud, api, 100)
    const rssAfter = new Map([...split.processes].map(([name, p]) => [name, rssMiB(p.child.pid!)]))
    const [[n, d], e] = await withCpu(api, () => deleteAll(cloud))
    printTable(
      ['split, RabbitMQ + PostgreSQL', 's', 'servers/s', 'nova-api CPU s'],
      [
        ['100 servers to ACTIVE', t100, 100 / t100, c100],
        [`${n} servers deleted`, d, n / d, e],
      ],
    )
    printTable(
      ['GET /v2.1/servers/detail (split)', 'req/s', 'p50 ms', 'p99 ms', 'nova-api CPU ms/req'],
      detail,
    )
    printTable(
      ['process RSS (split)', 'idle MiB', 'with 100 servers MiB'],
      [...rssIdle].map(([name, idle]) => [name, idle, rssAfter.get(name) ?? NaN]),
    )
  })
}
