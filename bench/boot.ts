import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { adminToken } from '../test/support/admin-token.js'
import { allInOneConfig } from '../test/support/all-in-one-config.js'
import { startBinary } from '../test/support/spawn-binary.js'
import { loadFromWorker } from './http-load.js'
import { printTable } from './table.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Servers per create request (min_count = max_count) and how many creates run at once. */
const BATCH = 50
const PARALLEL_CREATES = 4
const PARALLEL_DELETES = 16

/** RSS of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024
}

/** CPU seconds (user + system) a process used so far, from /proc (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Runs `fn` and returns its result with the CPU seconds `pid` spent meanwhile. */
export async function withCpu<T>(pid: number, fn: () => Promise<T>): Promise<[T, number]> {
  const before = cpuSeconds(pid)
  const value = await fn()
  return [value, cpuSeconds(pid) - before]
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}

export interface Cloud {
  compute(method: string, url: string, body?: unknown): Promise<{ status: number; body: Obj }>
  readonly computeUrl: string
  readonly headers: Record<string, string>
}

export async function openCloud(identityUrl: string, computeUrl: string, password: string): Promise<Cloud> {
  const { token } = await adminToken(identityUrl, password)
  const headers = {
    'x-auth-token': token,
    'openstack-api-version': 'compute latest',
  }
  return {
    computeUrl,
    headers,
    async compute(method, url, body) {
      const r = await fetch(`${computeUrl}${url}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await r.text()
      return { status: r.status, body: text === '' ? undefined : JSON.parse(text) }
    },
  }
}

/** A flavor, an active image and no instance/core/RAM quota for the admin project. */
export async function prepare(
  cloud: Cloud,
  imageUrl: string,
  projectId: string,
): Promise<{ flavor: string; image: string }> {
  const flavor = await cloud.compute('POST', '/v2.1/flavors', {
    flavor: { name: 'bench.tiny', ram: 64, vcpus: 1, disk: 1 },
  })
  await cloud.compute('PUT', `/v2.1/os-quota-sets/${projectId}`, {
    quota_set: { instances: -1, cores: -1, ram: -1 },
  })
  const created = await fetch(`${imageUrl}/v2/images`, {
    method: 'POST',
    headers: { ...cloud.headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench',
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'public',
    }),
  })
  const image = ((await created.json()) as Obj).id as string
  await fetch(`${imageUrl}/v2/images/${image}/file`, {
    method: 'PUT',
    headers: { ...cloud.headers, 'content-type': 'application/octet-stream' },
    body: Buffer.from('bench image'),
  })
  return { flavor: flavor.body.flavor.id as string, image }
}

async function serverIds(cloud: Cloud): Promise<string[]> {
  const ids: string[] = []
  let marker = ''
  for (;;) {
    const res = await cloud.compute('GET', `/v2.1/servers?limit=1000${marker}`)
    const page = res.body.servers as Obj[]
    ids.push(...page.map((s) => s.id as string))
    if (page.length < 1000) return ids
    marker = `&marker=${page.at(-1)!.id}`
  }
}

/** Seconds from the first create to every server ACTIVE (fails on an ERROR). */
export async function bootAll(
  cloud: Cloud,
  ids: { flavor: string; image: string },
  count: number,
): Promise<number> {
  const start = performance.now()
  const batches = Array.from({ length: Math.ceil(count / BATCH) }, (_, i) =>
    Math.min(BATCH, count - i * BATCH),
  )
  await pool(batches, PARALLEL_CREATES, async (n) => {
    const res = await cloud.compute('POST', '/v2.1/servers', {
      server: {
        name: 'bench',
        flavorRef: ids.flavor,
        imageRef: ids.image,
        networks: 'none',
        min_count: n,
        max_count: n,
      },
    })
    if (res.status !== 202) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`)
  })
  for (;;) {
    const building = await cloud.compute('GET', '/v2.1/servers?status=BUILD&limit=1')
    if ((building.body.servers as Obj[]).length === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const seconds = (performance.now() - start) / 1000
  const failed = await cloud.compute('GET', '/v2.1/servers/detail?status=ERROR&limit=1')
  if ((failed.body.servers as Obj[]).length > 0)
    throw new Error(`a server went to ERROR: ${JSON.stringify(failed.body.servers[0].fault)}`)
  return seconds
}

/** Seconds from the first DELETE to an empty list. */
export async function deleteAll(cloud: Cloud): Promise<[number, number]> {
  const ids = await serverIds(cloud)
  const start = performance.now()
  await pool(ids, PARALLEL_DELETES, async (id) => {
    const res = await cloud.compute('DELETE', `/v2.1/servers/${id}`)
    if (res.status !== 204) throw new Error(`delete: ${res.status} ${JSON.stringify(res.body)}`)
  })
  for (;;) {
    const left = await cloud.compute('GET', '/v2.1/servers?limit=1')
    if ((left.body.servers as Obj[]).length === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return [ids.length, (performance.now() - start) / 1000]
}

export async function detailLoad(cloud: Cloud, pid: number, present: number): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = []
  const url = `${cloud.computeUrl}/v2.1/servers/detail`
  for (const clients of [1, 8]) {
    await loadFromWorker({ url, headers: cloud.headers, total: 20, clients }) // warm-up
    const total = present >= 1000 ? 100 : 400
    const [[rps, p50, p99], cpu] = await withCpu(pid, () =>
      loadFromWorker({ url, headers: cloud.headers, total, clients }),
    )
    const label = `${present} servers, ${clients} client${clients > 1 ? 's' : ''}`
    rows.push([label, rps, p50, p99, (cpu * 1000) / total])
  }
  return rows
}

/**
 * End to end with the fake driver on nova-all (SQLite, in-process bus, one process): servers/s to ACTIVE for
 * 100 and 1,000 servers, the delete rate, GET /servers/detail latency at 1 and 8 clients with 200 and 1,000
 * servers, and the process's RSS. Run the process with `BENCH_CPU_PROF=dir` to write a CPU profile. Then the
 * split variant on RabbitMQ + PostgreSQL (boot-split.ts; `BENCH_BOOT_SPLIT=0` leaves it out).
 */
export async function benchBoot(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-bench-boot-'))
  const { text, ports } = await allInOneConfig()
  const conf = path.join(dir, 'nova.conf')
  writeFileSync(conf, `${text}[api]\nmax_limit = 1000\n`)
  const profile = process.env.BENCH_CPU_PROF
  const nova = startBinary(
    'nova-all',
    ['--config-file', conf, '--state-path', path.join(dir, 'state')],
    {},
    profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`],
  )
  try {
    await nova.waitForOutput(/Ctrl-C stops it/, 120_000)
    await new Promise((r) => setTimeout(r, 2000))
    const rssIdle = rssMiB(nova.child.pid!)
    const password = readFileSync(path.join(dir, 'state', 'admin-password'), 'utf8').trim()
    const cloud = await openCloud(
      `http://127.0.0.1:${ports.identity}`,
      `http://127.0.0.1:${ports.compute}`,
      password,
    )
    const projects = await fetch(`http://127.0.0.1:${ports.identity}/v3/auth/projects`, {
      headers: cloud.headers,
    })
    const projectId = ((await projects.json()) as Obj).projects.find((p: Obj) => p.name === 'admin')
      .id as string
    const ids = await prepare(cloud, `http://127.0.0.1:${ports.image}`, projectId)

    const pid = nova.child.pid!
    const boot: (string | number)[][] = []
    const [t100, c100] = await withCpu(pid, () => bootAll(cloud, ids, 100))
    boot.push(['100 servers to ACTIVE', t100, 100 / t100, c100])
    const [[n100, d100], e100] = await withCpu(pid, () => deleteAll(cloud))
    boot.push([`${n100} servers deleted`, d100, n100 / d100, e100])
    const [t1000, c1000] = await withCpu(pid, () => bootAll(cloud, ids, 1000))
    boot.push(['1,000 servers to ACTIVE', t1000, 1000 / t1000, c1000])
    const detail1000 = await detailLoad(cloud, pid, 1000)
    const rssLoaded = rssMiB(pid)
    const [[n1000, d1000], e1000] = await withCpu(pid, () => deleteAll(cloud))
    boot.push([`${n1000} servers deleted`, d1000, n1000 / d1000, e1000])
    await bootAll(cloud, ids, 200)
    const detail200 = await detailLoad(cloud, pid, 200)
    const rssAfter = rssMiB(pid)

    // The machine may be shared: the CPU the nova-all process itself used bounds what an idle machine would do.
    process.stdout.write(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
    )
    printTable(['nova-all, fake driver, SQLite', 's', 'servers/s', 'nova-all CPU s'], boot)
    printTable(
      ['GET /v2.1/servers/detail', 'req/s', 'p50 ms', 'p99 ms', 'nova-all CPU ms/req'],
      [...detail200, ...detail1000],
    )
    printTable(
      ['nova-all RSS', 'MiB'],
      [
        ['idle after start', rssIdle],
        ['with 1,000 servers, after the detail load', rssLoaded],
        ['at the end (200 servers)', rssAfter],
      ],
    )
  } finally {
    nova.child.kill('SIGINT')
    await nova.exited()
    rmSync(dir, { recursive: true, force: true })
  }
  if (process.env.BENCH_BOOT_SPLIT !== '0') await (await import('./boot-split.js')).benchBootSplit()
}
