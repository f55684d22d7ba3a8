import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { silentLogger } from '../src/common/logger.js'
import { openDatabase, syncSchema } from '../src/db/index.js'
import { createPlacementApp } from '../src/services/placement/app.js'
import type { PlacementDeps } from '../src/services/placement/placement-deps.js'
import { createPlacementDeps } from '../src/services/placement/store/create-deps.js'
import type { Inventory } from '../src/services/placement/store/inventories.js'
import { loadFromWorker } from './http-load.js'
import { percentile, printTable } from './table.js'

const AGG = randomUUID()
const HEADERS = { 'openstack-api-version': 'placement 1.39' }
const inv = (total: number, extra: Partial<Inventory> = {}): Inventory => ({
  total,
  reserved: 0,
  min_unit: 1,
  max_unit: total,
  step_size: 1,
  allocation_ratio: 1,
  ...extra,
})

interface Cloud {
  readonly url: string
  readonly deps: PlacementDeps
  close(): Promise<void>
}

/** Placement listening on a free port over a SQLite file, without token checks (the client is the bench). */
async function startPlacement(): Promise<Cloud> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-bench-placement-'))
  const db = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
  await syncSchema(db, 'api')
  const deps = createPlacementDeps(db, {
    randomizeCandidates: false,
    incompleteConsumerProjectId: 'p',
    incompleteConsumerUserId: 'u',
  })
  await deps.traits.syncStandard()
  const app = createPlacementApp(deps, { logger: silentLogger() })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    url: address,
    deps,
    async close() {
      await app.close()
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The perfload shape: a root provider with VCPU, MEMORY_MB, DISK_GB, in one aggregate, with AVX2. */
async function addComputeNode(deps: PlacementDeps, name: string): Promise<string> {
  const rp = await deps.providers.create({ uuid: randomUUID(), name })
  await deps.inventories.replace(
    rp,
    0,
    new Map([
      ['VCPU', inv(32)],
      ['MEMORY_MB', inv(131072)],
      ['DISK_GB', inv(2048)],
    ]),
  )
  await deps.aggregates.setForProvider(rp, undefined, [AGG])
  await deps.traits.setForProvider(rp, undefined, ['HW_CPU_X86_AVX2'])
  return rp.uuid
}

/** A tree of 7: root (DISK_GB, AVX2, aggregate) → 2 NUMA (VCPU, MEMORY_MB) → 2 PFs each (SRIOV_NET_VF). */
async function addNestedNode(deps: PlacementDeps, name: string): Promise<void> {
  const root = await addComputeNode(deps, name)
  await deps.inventories.replace(await deps.providers.get(root), undefined, new Map([['DISK_GB', inv(2048)]]))
  for (const n of [0, 1]) {
    const numa = await deps.providers.create({
      uuid: randomUUID(),
      name: `${name}-numa${n}`,
      parentUuid: root,
    })
    await deps.inventories.replace(
      numa,
      0,
      new Map([
        ['VCPU', inv(16)],
        ['MEMORY_MB', inv(65536)],
      ]),
    )
    for (const p of [0, 1]) {
      const pf = await deps.providers.create({
        uuid: randomUUID(),
        name: `${name}-numa${n}-pf${p}`,
        parentUuid: numa.uuid,
      })
      await deps.inventories.replace(pf, 0, new Map([['SRIOV_NET_VF', inv(8)]]))
    }
  }
}

async function get(url: string): Promise<number> {
  const start = performance.now()
  const res = await fetch(url, { headers: HEADERS })
  const body = await res.text()
  if (res.status !== 200) throw new Error(`${res.status} ${body.slice(0, 200)}`)
  return performance.now() - start
}

async function timed(url: string, n: number): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < n; i++) samples.push(await get(url))
  return samples.sort((a, b) => a - b)
}

async function perfload(label: string, nested: boolean, rows: (string | number)[][]): Promise<void> {
  const cloud = await startPlacement()
  try {
    const seedStart = performance.now()
    for (let i = 0; i < 1000; i++)
      await (nested ? addNestedNode(cloud.deps, `cn${i}`) : addComputeNode(cloud.deps, `cn${i}`))
    const seedS = (performance.now() - seedStart) / 1000
    const query = nested
      ? `resources=DISK_GB:10&resources_CPU=VCPU:1,MEMORY_MB:256&resources_NET=SRIOV_NET_VF:1&same_subtree=_CPU,_NET&group_policy=none&member_of=${AGG}&required=HW_CPU_X86_AVX2`
      : `resources=VCPU:1,DISK_GB:10,MEMORY_MB:256&member_of=${AGG}&required=HW_CPU_X86_AVX2`
    const url = `${cloud.url}/allocation_candidates?${query}`
    await timed(url, 5)
    const first = await timed(url, 20)
    // 100 allocations written through the API, re-timing the candidates query after each.
    const after: number[] = []
    const providers = (await cloud.deps.providers.list({ resources: new Map([['DISK_GB', 1]]) })).map(
      (p) => p.uuid,
    )
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${cloud.url}/allocations/${randomUUID()}`, {
        method: 'PUT',
        headers: { ...HEADERS, 'content-type': 'application/json' },
        body: JSON.stringify({
          allocations: { [providers[i % providers.length]!]: { resources: { DISK_GB: 10 } } },
          project_id: 'p',
          user_id: 'u',
          consumer_generation: null,
          consumer_type: 'INSTANCE',
        }),
      })
      if (res.status !== 204) throw new Error(`allocation write ${res.status}`)
      after.push(await get(url))
    }
    after.sort((a, b) => a - b)
    const [rps, p50, p99] = await loadFromWorker({ url, headers: HEADERS, total: 500, clients: 10 })
    rows.push([label, seedS, percentile(first, 50), percentile(after, 50), rps, p50, p99])
  } finally {
    await cloud.close()
  }
}

/**
 * Placement's perfload job (1,000 providers with VCPU/MEMORY_MB/DISK_GB, an aggregate and a trait; then the nested
 * variant, 1,000 trees × 7 providers), and the small-cloud simple query at 8 clients. Single-client timings run
 * in this process; loads come from a worker thread (the machine's other core).
 */
export async function benchPlacement(): Promise<void> {
  const rows: (string | number)[][] = []
  await perfload('1,000 providers', false, rows)
  await perfload('1,000 trees × 7 providers', true, rows)
  printTable(
    [
      'allocation candidates',
      'seed s',
      'p50 ms (empty)',
      'p50 ms (while writing 100 allocations)',
      'req/s at 10 clients (500 req)',
      'p50 ms',
      'p99 ms',
    ],
    rows,
  )

  const cloud = await startPlacement()
  try {
    const rp = await addComputeNode(cloud.deps, 'small')
    for (let i = 0; i < 200; i++)
      await cloud.deps.allocations.replace([
        {
          consumer: randomUUID(),
          allocations: new Map([[rp, new Map([['MEMORY_MB', 16]])]]),
          projectId: 'p',
          userId: 'u',
          consumerGeneration: null,
          consumerType: 'INSTANCE',
        },
      ])
    const url = `${cloud.url}/allocation_candidates?resources=VCPU:1,MEMORY_MB:512`
    await timed(url, 50)
    const single = await timed(url, 400)
    const [rps8, p50of8, p99of8] = await loadFromWorker({ url, headers: HEADERS, total: 4000, clients: 8 })
    printTable(
      [
        'simple query (1 provider, 200 allocations)',
        'p50 ms (1 client)',
        'req/s (8 clients)',
        'p50 ms',
        'p99 ms',
      ],
      [['resources=VCPU:1,MEMORY_MB:512', percentile(single, 50), rps8, p50of8, p99of8]],
    )
  } finally {
    await cloud.close()
  }
}
