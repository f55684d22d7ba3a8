import { execFile, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import type { TestImageFiles } from '../src/manage/image-commands.js'
import { missingForRealGuests } from '../src/process/real-guests.js'
import { buildQemuArgv, guestPaths } from '../src/services/compute/drivers/qemu/argv.js'
import { QEMU_CAPABILITIES } from '../src/services/compute/drivers/qemu/index.js'
import { adminToken } from '../test/support/admin-token.js'
import { allInOneConfig, type AllInOnePorts } from '../test/support/all-in-one-config.js'
import { killGuestsOnExit, TEST_GUEST_MARKER, testGuestFiles } from '../test/support/qemu-guest.js'
import { startBinary } from '../test/support/spawn-binary.js'
import { cpuSeconds, rssMiB, withCpu } from './boot.js'
import { printTable } from './table.js'
import { liveMigrationFigures } from './qemu-live-migration.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const run = promisify(execFile)
/** Samples per create and snapshot figure, and per power operation (the median is reported). */
const RUNS = 5
const POWER_RUNS = 3
/** At most this many tiny guests at once (BENCH_QEMU_GUESTS overrides), fewer when memory would not hold them. */
const DEFAULT_GUEST_CAP = 16
const MEMORY_MB = 128

const median = (samples: readonly number[]): number => {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? NaN
}
const since = (t0: number): number => (performance.now() - t0) / 1000

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

const markers = (log: string): number => log.split(TEST_GUEST_MARKER).length - 1

function memAvailableMiB(): number {
  return Number(/MemAvailable:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024
}

/**
 * The same guest on the same QEMU command line the driver builds, started by hand: seconds to the marker, and the
 * CPU seconds its QEMU used until then.
 */
async function bareBoot(files: TestImageFiles): Promise<{ wall: number; cpu: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-bare-'))
  const uuid = randomUUID()
  const paths = guestPaths(dir, uuid)
  try {
    mkdirSync(paths.dir, { recursive: true })
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', files.disk, '-F', 'raw', paths.disk, '1G'])
    const argv = buildQemuArgv({
      uuid,
      name: 'bench-bare',
      vcpus: 1,
      memoryMb: MEMORY_MB,
      accel: 'tcg',
      paths,
      kernel: { kernel: files.kernel, initrd: files.initramfs, cmdline: files.cmdline },
    })
    const t0 = performance.now()
    const qemu = spawn('qemu-system-x86_64', argv, { stdio: 'ignore' })
    try {
      await until('the bare guest marker', async () =>
        markers(readFileSync(paths.consoleLog, { encoding: 'utf8', flag: 'a+' })) > 0 ? true : undefined,
      )
      return { wall: since(t0), cpu: cpuSeconds(qemu.pid!) }
    } finally {
      qemu.kill('SIGKILL')
      await new Promise((resolve) => qemu.once('exit', resolve))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The admin's compute and image API of the nova-all under test. */
async function adminApi(ports: AllInOnePorts, statePath: string) {
  const password = readFileSync(path.join(statePath, 'admin-password'), 'utf8').trim()
  const { token, projectId } = await adminToken(`http://127.0.0.1:${ports.identity}`, password)
  const call = async (url: string, method = 'GET', body?: unknown) => {
    const r = await fetch(url, {
      method,
      headers: {
        'x-auth-token': token,
        'openstack-api-version': 'compute 2.79',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await r.text()
    return { status: r.status, body: (text === '' ? undefined : JSON.parse(text)) as Obj }
  }
  const compute = (method: string, url: string, body?: unknown) =>
    call(`http://127.0.0.1:${ports.compute}/v2.1${url}`, method, body)
  const server = async (id: string) =>
    (await compute('GET', `/servers/${id}`)).body?.server as Obj | undefined
  const settled = (id: string, status: string) =>
    until(`${id} ${status}`, async () => {
      const s = await server(id)
      if (s?.status === 'ERROR') throw new Error(`${id} ERROR: ${JSON.stringify(s.fault)}`)
      return s?.status === status && s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
  // The serial log itself (the file QEMU writes), not the API's console output: polling the API every few
  // milliseconds would take CPU from the booting guest on a small host.
  const consoleLog = async (id: string) =>
    readFileSync(path.join(statePath, 'instances', id, 'console.log'), { encoding: 'utf8', flag: 'a+' })
  const booted = (id: string, count: number) =>
    until(`${id} boot ${count}`, async () => (markers(await consoleLog(id)) >= count ? true : undefined))
  const action = async (id: string, body: object) => {
    const r = await compute('POST', `/servers/${id}/action`, body)
    if (r.status !== 202) throw new Error(`${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`)
    return r
  }
  const remove = async (ids: readonly string[]) => {
    for (const id of ids) await compute('DELETE', `/servers/${id}`)
    for (const id of ids)
      await until(`${id} deleted`, async () =>
        (await compute('GET', `/servers/${id}`)).status === 404 ? true : undefined,
      )
  }
  const instancesPath = path.join(statePath, 'instances')
  return { call, compute, projectId, instancesPath, settled, consoleLog, booted, action, remove }
}

type Api = Awaited<ReturnType<typeof adminApi>>

/** The pids of the running QEMU processes of the guests under `instancesPath`. */
function guestPids(instancesPath: string): number[] {
  const pids: number[] = []
  let entries: string[] = []
  try {
    entries = readdirSync(instancesPath)
  } catch {
    return pids
  }
  for (const entry of entries) {
    try {
      const pid = Number.parseInt(readFileSync(path.join(instancesPath, entry, 'qemu.pid'), 'utf8'), 10)
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(instancesPath)) pids.push(pid)
    } catch {
      // no running guest in this folder
    }
  }
  return pids
}

/** RSS (MiB) of the QEMU processes of the guests under `instancesPath`. */
const guestRss = (instancesPath: string): number[] => guestPids(instancesPath).map(rssMiB)

/**
 * Create request → ACTIVE and → marker, RUNS times, each after a bare boot of the same guest (so both see the same
 * load); returns the samples and one server left running.
 */
async function createLatencies(
  api: Api,
  flavor: string,
  image: string,
  files: TestImageFiles,
  novaPid: number,
): Promise<{
  bare: number[]
  bareCpu: number[]
  active: number[]
  marker: number[]
  guestCpu: number[]
  cpu: number[]
  id: string
}> {
  const bare: number[] = []
  const bareCpu: number[] = []
  const guestCpu: number[] = []
  const active: number[] = []
  const marker: number[] = []
  const cpu: number[] = []
  const ids: string[] = []
  for (let i = 0; i < RUNS; i++) {
    const alone = await bareBoot(files)
    bare.push(alone.wall)
    bareCpu.push(alone.cpu)
    const [id, cpuS] = await withCpu(novaPid, async () => {
      const t0 = performance.now()
      const r = await api.compute('POST', '/servers', {
        server: { name: `bench-${i}`, flavorRef: flavor, imageRef: image, networks: 'none' },
      })
      if (r.status !== 202) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`)
      const created = r.body.server.id as string
      await api.settled(created, 'ACTIVE')
      active.push(since(t0))
      await api.booted(created, 1)
      marker.push(since(t0))
      guestCpu.push(
        cpuSeconds(Number(readFileSync(path.join(api.instancesPath, created, 'qemu.pid'), 'utf8'))),
      )
      return created
    })
    cpu.push(cpuS)
    ids.push(id)
    // The previous guest goes while this one runs: one guest booting at a time, like the bare boot.
    if (ids.length > 1) await api.remove(ids.splice(0, 1))
  }
  return { bare, bareCpu, active, marker, guestCpu, cpu, id: ids[0]! }
}

/** stop / start / soft and hard reboot of a running server, POWER_RUNS times each. */
async function powerLatencies(api: Api, id: string): Promise<(string | number)[][]> {
  const samples: Record<string, number[]> = {}
  const add = (name: string, s: number) => (samples[name] ??= []).push(s)
  let boots = markers(await api.consoleLog(id))
  for (let i = 0; i < POWER_RUNS; i++) {
    let t0 = performance.now()
    await api.action(id, { 'os-stop': null })
    await api.settled(id, 'SHUTOFF')
    add('stop → SHUTOFF (ACPI power off)', since(t0))
    t0 = performance.now()
    await api.action(id, { 'os-start': null })
    await api.settled(id, 'ACTIVE')
    add('start → ACTIVE', since(t0))
    await api.booted(id, ++boots)
    add('start → guest marker', since(t0))
    for (const type of ['SOFT', 'HARD']) {
      t0 = performance.now()
      await api.action(id, { reboot: { type } })
      await api.settled(id, 'ACTIVE')
      add(`reboot ${type} → ACTIVE`, since(t0))
      await api.booted(id, ++boots)
      add(`reboot ${type} → guest marker`, since(t0))
    }
  }
  return Object.entries(samples).map(([name, s]) => [name, median(s), Math.min(...s), Math.max(...s)])
}

/** createImage of a running server → the new image active, RUNS times; undefined when the driver cannot. */
async function snapshotLatencies(api: Api, id: string, imageUrl: string): Promise<number[] | undefined> {
  if (!QEMU_CAPABILITIES.snapshot) return undefined
  const samples: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    const r = await api.action(id, { createImage: { name: `bench-snap-${i}` } })
    const imageId =
      (r.body?.image_id as string | undefined) ?? /images\/([^/]+)$/.exec(r.body?.location ?? '')?.[1]
    if (imageId === undefined) throw new Error('createImage answered no image id')
    await until('the snapshot active', async () => {
      const image = (await api.call(`${imageUrl}/v2/images/${imageId}`)).body
      if (image?.status === 'killed' || image?.status === 'deleted') throw new Error('snapshot failed')
      return image?.status === 'active' ? true : undefined
    })
    samples.push(since(t0))
    await api.settled(id, 'ACTIVE')
    await api.call(`${imageUrl}/v2/images/${imageId}`, 'DELETE')
  }
  return samples
}

/** Boots `count` guests in one request and waits for every marker; RSS figures while all run. */
async function density(
  api: Api,
  flavor: string,
  image: string,
  instancesPath: string,
  count: number,
  pid: number,
) {
  const t0 = performance.now()
  const r = await api.compute('POST', '/servers', {
    server: {
      name: 'dense',
      flavorRef: flavor,
      imageRef: image,
      networks: 'none',
      min_count: count,
      max_count: count,
    },
  })
  if (r.status !== 202) throw new Error(`create ${count}: ${r.status} ${JSON.stringify(r.body)}`)
  const listed = (await api.compute('GET', '/servers?name=dense')).body.servers as Obj[]
  const ids = listed.map((s) => s.id as string)
  for (const id of ids) await api.settled(id, 'ACTIVE')
  const activeS = since(t0)
  for (const id of ids) await api.booted(id, 1)
  const markerS = since(t0)
  await sleep(3000) // let the guests settle after boot
  const rss = guestRss(instancesPath)
  const rows = [
    [`${ids.length} guests: create → all ACTIVE (s)`, activeS],
    [`${ids.length} guests: create → all at the marker (s)`, markerS],
    ['qemu processes running', rss.length],
    ['RSS per guest, MiB (mean)', rss.reduce((a, b) => a + b, 0) / rss.length],
    ['RSS of all guests, MiB', rss.reduce((a, b) => a + b, 0)],
    ['nova-all RSS, MiB', rssMiB(pid)],
    ['host MemAvailable with them running, MiB', memAvailableMiB()],
  ]
  const t1 = performance.now()
  await api.remove(ids)
  rows.push([`${ids.length} guests deleted (s)`, since(t1)])
  return rows
}

/**
 * Real guests under TCG on a nova-all with the QEMU driver: create → ACTIVE and → the guest's marker (median of 5)
 * against a bare QEMU boot of the same guest on the same command line, stop/start/reboot latencies, snapshot time
 * (when the driver has snapshots), RSS per guest, and how many tiny guests run at once (up to 16, or
 * BENCH_QEMU_GUESTS, fewer when the host's memory would not hold them).
 */
export async function benchQemu(): Promise<void> {
  const missing = await missingForRealGuests()
  if (missing.length > 0) {
    process.stdout.write(`skipped: this host lacks ${missing.join(', ')} (README, "Real guests")\n`)
    return
  }
  const files = await testGuestFiles()

  const dir = mkdtempSync(path.join(tmpdir(), 'nova-bench-qemu-'))
  const state = path.join(dir, 'state')
  const instancesPath = path.join(state, 'instances')
  killGuestsOnExit(instancesPath)
  const { text, ports } = await allInOneConfig({ driver: 'unset' })
  const conf = path.join(dir, 'nova.conf')
  // 1-vCPU guests on 2 cores: the default ratio (4) would stop the density run at 8 guests.
  writeFileSync(conf, text.replace('[DEFAULT]\n', '[DEFAULT]\ncpu_allocation_ratio = 16.0\n'))
  const nova = startBinary('nova-all', ['--config-file', conf, '--state-path', state])
  try {
    await nova.waitForOutput(/Ctrl-C stops it/, 300_000)
    const [, image] = (await nova.waitForOutput(/image\s+nova-ts-test-guest (\S+)/, 1000)) as string[]
    const api = await adminApi(ports, state)
    await api.compute('PUT', `/os-quota-sets/${api.projectId}`, {
      quota_set: { instances: -1, cores: -1, ram: -1 },
    })
    const flavor = (
      await api.compute('POST', '/flavors', {
        flavor: { name: 'bench.qemu', ram: MEMORY_MB, vcpus: 1, disk: 1 },
      })
    ).body.flavor.id as string

    const { bare, bareCpu, active, marker, guestCpu, cpu, id } = await createLatencies(
      api,
      flavor,
      image!,
      files,
      nova.child.pid!,
    )
    const oneGuestRss = guestRss(instancesPath)[0] ?? NaN
    const power = await powerLatencies(api, id)
    const imageUrl = `http://127.0.0.1:${ports.image}`
    const snapshots = await snapshotLatencies(api, id, imageUrl)
    await api.remove([id])

    process.stdout.write(
      `load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; TCG, ${MEMORY_MB} MiB guests; median of ${RUNS} (power operations: of ${POWER_RUNS})\n`,
    )
    const row = (name: string, s: readonly number[]) => [name, median(s), Math.min(...s), Math.max(...s)]
    printTable(
      ['one guest', 'median s', 'min s', 'max s'],
      [
        row('bare qemu (same argv) → guest marker', bare),
        row('API create → ACTIVE', active),
        row('API create → guest marker', marker),
        ['nova-ts overhead to the marker (median)', median(marker) - median(bare), '', ''],
        row('nova-all CPU s from create to the marker', cpu),
        row('guest QEMU CPU s to the marker, bare', bareCpu),
        row('guest QEMU CPU s to the marker, nova-ts', guestCpu),
        ...power,
        ...(snapshots === undefined ? [] : [row('createImage → image active', snapshots)]),
      ],
    )
    if (snapshots === undefined)
      process.stdout.write('snapshot: not measured (the QEMU driver has no snapshot yet)\n')
    const cap = Number(process.env.BENCH_QEMU_GUESTS ?? DEFAULT_GUEST_CAP)
    const byMemory = Math.floor((memAvailableMiB() * 0.8) / oneGuestRss)
    const count = Math.max(1, Math.min(cap, byMemory))
    const dense = await density(api, flavor, image!, instancesPath, count, nova.child.pid!)

    const moves = await liveMigrationFigures([128, 256])
    printTable(
      ['live migration (driver calls, two hosts here)', 'median s', 'min s', 'max s'],
      moves.flatMap((m) => {
        const how = `${m.memoryMb} MiB, ${m.shared ? 'shared instances path' : 'block migration'}`
        return [row(`${how}: transfer`, m.transfer), row(`${how}: checks + pre + transfer + post`, m.total)]
      }),
    )
    printTable(
      ['guests at once', 'value'],
      [
        ['RSS of one booted guest, MiB', oneGuestRss],
        [`guests asked for (cap ${cap}, memory allows ${byMemory})`, count],
        ...dense,
      ],
    )
  } finally {
    nova.child.kill('SIGINT')
    await nova.exited()
    // Guests outlive nova-all: any a failed run left behind go with their files.
    for (const pid of guestPids(instancesPath)) process.kill(pid, 'SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}
