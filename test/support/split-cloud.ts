import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { strict as assert } from 'node:assert'
import { adminToken } from './admin-token.js'
import type { Backend } from './backends.js'
import { freePort } from './free-port.js'
import { runBinary, startBinary, type RunningBinary } from './spawn-binary.js'
import { withTestDatabase } from './test-database.js'
import { uniqueName } from './test-bus.js'

const run = promisify(execFile)
/** How long a daemon may take to start: nine processes start at once, on a machine CI may share. */
const START_TIMEOUT_MS = 180_000
type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SplitCloudOptions {
  /** Database engine (a private main and API database are made on it). */
  readonly db: Backend
  /** RabbitMQ base URL; the cloud gets a private vhost in it, deleted afterwards. */
  readonly rabbitUrl: string
  /** `[DEFAULT] host` of each nova-compute process. */
  readonly computeHosts: readonly string[]
  /** Extra nova.conf text every process reads (e.g. a `[fake_driver]` section). */
  readonly extraConf?: string
}

/**
 * Nova split into its daemons, each a process of its own (`bin/nova-*`): identity, image, placement,
 * conductor, scheduler, API and one nova-compute per host, on RabbitMQ (a private vhost) and a private
 * database pair, set up as an operator would (`nova-manage db sync`, `api_db sync`, `identity bootstrap`).
 */
export interface SplitCloud {
  readonly dir: string
  readonly computeUrl: string
  readonly placementUrl: string
  /** Keystone's URL (`…/v3` is its API) and the admin's password, for the `openstack` CLI. */
  readonly identityUrl: string
  readonly adminPassword: string
  readonly processes: Map<string, RunningBinary>
  /** The admin's token (project admin). */
  token(): Promise<string>
  /** Creates an active public image (a few bytes uploaded) and returns its id. */
  createImage(): Promise<string>
  /** The admin project's id. */
  projectId(): Promise<string>
  /** A JSON request to the compute API as the admin; the body is parsed (undefined for none). */
  compute(method: string, url: string, body?: unknown): Promise<{ status: number; body: Obj }>
  placement(method: string, url: string): Promise<{ status: number; body: Obj }>
  /** Starts (or restarts) the nova-compute of `host` and waits until its service runs. */
  startCompute(host: string): Promise<RunningBinary>
  /** Output of every process, for a failure message. */
  logs(): string
}

async function rabbitctl(args: string[]): Promise<void> {
  await run('rabbitmqctl', args)
}

export async function withSplitCloud(
  options: SplitCloudOptions,
  fn: (cloud: SplitCloud) => Promise<void>,
): Promise<void> {
  await withTestDatabase(options.db, async (mainUrl) => {
    await withTestDatabase(options.db, async (apiUrl) => {
      const vhost = uniqueName('nova_split')
      await rabbitctl(['add_vhost', vhost])
      const dir = mkdtempSync(path.join(tmpdir(), 'nova-split-'))
      const processes = new Map<string, RunningBinary>()
      try {
        await rabbitctl(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'])
        await runCloud(options, { mainUrl, apiUrl, vhost, dir, processes }, fn)
      } finally {
        await Promise.all(
          [...processes.values()].map(async (p) => {
            p.child.kill('SIGKILL')
            await p.exited()
          }),
        )
        rmSync(dir, { recursive: true, force: true })
        await rabbitctl(['delete_vhost', vhost]).catch(() => undefined)
      }
    })
  })
}

async function runCloud(
  options: SplitCloudOptions,
  env: {
    mainUrl: string
    apiUrl: string
    vhost: string
    dir: string
    processes: Map<string, RunningBinary>
  },
  fn: (cloud: SplitCloud) => Promise<void>,
): Promise<void> {
  const { dir, processes } = env
  const password = 'split-admin-secret'
  const ports = { identity: await freePort(), image: await freePort(), placement: await freePort() }
  const computePort = await freePort()
  const identityUrl = `http://127.0.0.1:${ports.identity}`
  const computeUrl = `http://127.0.0.1:${computePort}`
  const placementUrl = `http://127.0.0.1:${ports.placement}`
  const rabbit = new URL(options.rabbitUrl.replace(/^rabbit:/, 'http:'))
  const transportUrl = `rabbit://${rabbit.username}:${rabbit.password}@${rabbit.host}/${env.vhost}`
  const conf = path.join(dir, 'nova.conf')
  writeFileSync(
    conf,
    `[DEFAULT]\nmy_ip = 127.0.0.1\nstate_path = ${path.join(dir, 'state')}\n` +
      `transport_url = ${transportUrl}\n` +
      `osapi_compute_listen = 127.0.0.1\nosapi_compute_listen_port = ${computePort}\n` +
      `[oslo_messaging_rabbit]\nrabbit_retry_interval = 1\nrabbit_retry_backoff = 0\nrabbit_interval_max = 1\n` +
      `[database]\nconnection = ${env.mainUrl}\n[api_database]\nconnection = ${env.apiUrl}\n` +
      `[identity]\nlisten = 127.0.0.1\nport = ${ports.identity}\npassword_hash_rounds = 4\n` +
      `[image]\nlisten = 127.0.0.1\nport = ${ports.image}\n` +
      `[placement]\nlisten = 127.0.0.1\nport = ${ports.placement}\n` +
      `username = admin\npassword = ${password}\nproject_name = admin\n` +
      (options.extraConf ?? ''),
  )
  const hostConf = (host: string): string => {
    const file = path.join(dir, `${host}.conf`)
    writeFileSync(file, `[DEFAULT]\nhost = ${host}\n`)
    return file
  }
  const manage = async (args: string[]): Promise<void> => {
    const result = await runBinary('nova-manage', ['--config-file', conf, ...args])
    if (result.code !== 0) throw new Error(`nova-manage ${args.join(' ')}: ${result.stderr}`)
  }
  let token: string | undefined
  let projectId = ''
  const getToken = async (): Promise<string> => {
    if (token !== undefined) return token
    const admin = await adminToken(identityUrl, password)
    projectId = admin.projectId
    token = admin.token
    return token
  }
  const request = async (
    url: string,
    method: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: Obj }> => {
    const res = await fetch(url, {
      method,
      headers: {
        'x-auth-token': await getToken(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) }
  }
  /** Every compute host has its resource provider with inventory in placement (computes report after start). */
  const hypervisorsReported = async (count: number, since = Date.now()): Promise<void> => {
    for (;;) {
      const rps = await request(`${placementUrl}/resource_providers`, 'GET', undefined, {})
      const withInventory = await Promise.all(
        (rps.body.resource_providers as Obj[]).map(async (rp) => {
          const inv = await request(
            `${placementUrl}/resource_providers/${rp.uuid}/inventories`,
            'GET',
            undefined,
            {},
          )
          return Object.keys(inv.body.inventories as Obj).length >= 3
        }),
      )
      // …and allocation candidates (placement's in-memory view, which claims go through) offer every one.
      const candidates =
        withInventory.filter(Boolean).length >= count
          ? await request(
              `${placementUrl}/allocation_candidates?resources=VCPU:1,MEMORY_MB:64,DISK_GB:1`,
              'GET',
              undefined,
              { 'openstack-api-version': 'placement 1.39' },
            )
          : undefined
      if (Object.keys((candidates?.body.provider_summaries ?? {}) as Obj).length >= count) return
      if (Date.now() - since > START_TIMEOUT_MS)
        throw new Error(
          `the computes' inventory never became allocatable: ${JSON.stringify(candidates?.body ?? {})}`,
        )
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  const t0 = Date.now()
  // identity bootstrap brings the API schema up to date itself.
  await Promise.all([
    manage(['db', 'sync']),
    manage(['identity', 'bootstrap', '--bootstrap-password', password]),
  ])
  if (process.env.SPLIT_TIMING) console.log('managed', Date.now() - t0)

  const start = (name: string, binary: string, extra: string[] = []): RunningBinary => {
    const p = startBinary(binary, ['--config-file', conf, ...extra])
    processes.set(name, p)
    return p
  }
  const serving = async (p: RunningBinary, url: string): Promise<void> => {
    const end = Date.now() + START_TIMEOUT_MS
    for (;;) {
      if (p.child.exitCode !== null) throw new Error(`exited: ${p.stderr()}`)
      const ok = await fetch(url).then(
        (r) => r.status < 500,
        () => false,
      )
      if (ok) return
      if (Date.now() > end) throw new Error(`${url} never answered: ${p.stderr()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  /** Daemons log (JSON lines) to stderr. */
  const rpcStarted = async (p: RunningBinary, since = 0): Promise<void> => {
    const end = Date.now() + START_TIMEOUT_MS
    while (!p.stderr().slice(since).includes('"msg":"service started"')) {
      if (p.child.exitCode !== null) throw new Error(`exited: ${p.stderr()}`)
      if (Date.now() > end) throw new Error(`never started: ${p.stderr()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const startCompute = async (host: string): Promise<RunningBinary> => {
    const p = start(`compute-${host}`, 'nova-compute', ['--config-file', hostConf(host)])
    await rpcStarted(p)
    return p
  }
  await Promise.all([
    serving(start('identity', 'nova-identity'), `${identityUrl}/v3`),
    serving(start('image', 'nova-image'), `http://127.0.0.1:${ports.image}/`),
    serving(start('placement', 'nova-placement'), `${placementUrl}/`),
    rpcStarted(start('conductor', 'nova-conductor')),
    rpcStarted(start('scheduler', 'nova-scheduler')),
    serving(start('api', 'nova-api'), `${computeUrl}/`),
  ])
  if (process.env.SPLIT_TIMING) console.log('control plane', Date.now() - t0)
  await Promise.all(options.computeHosts.map(startCompute))
  await hypervisorsReported(options.computeHosts.length)
  if (process.env.SPLIT_TIMING) console.log('computes', Date.now() - t0)

  await fn({
    dir,
    computeUrl,
    placementUrl,
    identityUrl,
    adminPassword: password,
    processes,
    token: getToken,
    createImage: async () => {
      const imageUrl = `http://127.0.0.1:${ports.image}`
      const created = await request(
        `${imageUrl}/v2/images`,
        'POST',
        {
          name: 'split-image',
          disk_format: 'raw',
          container_format: 'bare',
          visibility: 'public',
        },
        {},
      )
      if (created.status !== 201) throw new Error(`image create: ${JSON.stringify(created.body)}`)
      const upload = await fetch(`${imageUrl}/v2/images/${created.body.id}/file`, {
        method: 'PUT',
        headers: { 'x-auth-token': await getToken(), 'content-type': 'application/octet-stream' },
        body: Buffer.from('nova-ts split-mode image'),
      })
      if (upload.status !== 204) throw new Error(`image upload: ${upload.status} ${await upload.text()}`)
      return created.body.id as string
    },
    projectId: async () => {
      await getToken()
      return projectId
    },
    compute: (method, url, body) =>
      request(`${computeUrl}${url}`, method, body, { 'openstack-api-version': 'compute latest' }),
    placement: (method, url) =>
      request(`${placementUrl}${url}`, method, undefined, { 'openstack-api-version': 'placement 1.39' }),
    startCompute,
    logs: () =>
      [...processes.entries()].map(([name, p]) => `--- ${name}\n${p.stdout()}\n${p.stderr()}`).join('\n'),
  })
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Every server of the project (admin view, so with host and fault). */
export async function listServers(cloud: SplitCloud): Promise<Obj[]> {
  const res = await cloud.compute('GET', '/v2.1/servers/detail?limit=1000')
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return res.body.servers as Obj[]
}

/** A flavor and no instance/core/RAM quota for the admin project. */
export async function prepareProject(cloud: SplitCloud): Promise<string> {
  const flavor = await cloud.compute('POST', '/v2.1/flavors', {
    flavor: { name: 'split.tiny', ram: 64, vcpus: 1, disk: 1 },
  })
  assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
  const project = await cloud.projectId()
  const quota = await cloud.compute('PUT', `/v2.1/os-quota-sets/${project}`, {
    quota_set: { instances: -1, cores: -1, ram: -1 },
  })
  assert.equal(quota.status, 200, JSON.stringify(quota.body))
  return flavor.body.flavor.id as string
}

/** Sum of every resource provider's usages in placement, by resource class (zeros left out). */
export async function placementUsage(cloud: SplitCloud): Promise<Record<string, number>> {
  const providers = await cloud.placement('GET', '/resource_providers')
  assert.equal(providers.status, 200, JSON.stringify(providers.body))
  const total: Record<string, number> = {}
  for (const rp of providers.body.resource_providers as Obj[]) {
    const usages = await cloud.placement('GET', `/resource_providers/${rp.uuid}/usages`)
    for (const [rc, used] of Object.entries(usages.body.usages as Record<string, number>))
      if (used > 0) total[rc] = (total[rc] ?? 0) + used
  }
  return total
}
