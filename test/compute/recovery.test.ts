import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { adminContext } from '../../src/common/context.js'
import { systemClock } from '../../src/common/clock.js'
import { silentLogger } from '../../src/common/logger.js'
import type { MessageBus } from '../../src/bus/index.js'
import { loadConfig } from '../../src/config/index.js'
import {
  createComputeNodesRepository,
  createServicesRepository,
  openDatabase,
  syncSchema,
  type Database,
} from '../../src/db/index.js'
import { createInstanceActionsRepository } from '../../src/db/repositories/instance-actions.js'
import { createInstancesRepository } from '../../src/db/repositories/instances.js'
import { PolicyEnforcer } from '../../src/policy/index.js'
import { DatabaseServiceRegistry } from '../../src/service/database-service-registry.js'
import type { Service } from '../../src/service/service.js'
import { createComputeApiApp } from '../../src/services/compute-api/app.js'
import { COMPUTE_POLICIES } from '../../src/services/compute-api/policies.js'
import { FlavorStore } from '../../src/services/compute-api/store/flavors.js'
import { KeyPairStore } from '../../src/services/compute-api/store/keypairs.js'
import { ComputeClient } from '../../src/services/compute/client.js'
import {
  createComputeService,
  LEFT_IN_BUILD_MESSAGE,
  resourceTrackerSettings,
  type ComputeService,
} from '../../src/services/compute/index.js'
import { PowerState } from '../../src/services/compute/driver/power-state.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { ConductorClient } from '../../src/services/conductor/client.js'
import type { ConductorBuildDeps } from '../../src/services/conductor/conductor-deps.js'
import { createConductorService, enforceInstanceDeadlines } from '../../src/services/conductor/index.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { SchedulerClient } from '../../src/services/scheduler/client.js'
import {
  createDbAggregateSource,
  createDbHostStateSource,
  createSchedulerService,
  selectionDepsFromConfig,
  SINGLE_CELL_UUID,
} from '../../src/services/scheduler/index.js'
import type { TokenChecker } from '../../src/services/identity/client.js'
import { placementHarness, type PlacementHarness } from '../placement/support.js'
import { persona } from '../support/personas.js'
import { openTestBus } from '../support/test-bus.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const TOKENS = {
  ADMIN: persona('admin-project', ['admin', 'member', 'reader']),
  MEMBER_A: persona('project-a', ['member', 'reader']),
}
const checker: TokenChecker = { verify: (token) => TOKENS[token as keyof typeof TOKENS] ?? 'malformed' }

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A compute "killed -9": its conductor client stops answering (calls of its unfinished handlers never reach the
 * database), its service stops without draining. The FakeDriver object outlives it, like a hypervisor outlives
 * nova-compute; a guest the test destroys behind its back stands for a guest the crash lost.
 */
function killableConductor(real: ConductorClient): { client: ConductorClient; kill: () => void } {
  let dead = false
  const client = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        dead ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(target, args)
    },
  })
  return { client, kill: () => (dead = true) }
}

describe('[recovery] nova-compute settles instances a crash left mid-operation, syncs power states, heals placement', () => {
  let dir: string
  let mainDb: Database<unknown>
  let placement: PlacementHarness
  let bus: MessageBus
  const services: Service[] = []
  let conductorClient: ConductorClient
  let compute: ComputeService
  let makeCompute: (conductor: ConductorClient) => ComputeService
  let instances: ReturnType<typeof createInstancesRepository>
  let conductorBuild: ConductorBuildDeps
  const driver = new FakeDriver({
    nodename: 'cmp-r',
    vcpus: 8,
    memoryMb: 8192,
    localGb: 100,
    spawnDelayMs: 600,
  })
  let call: (method: string, url: string, body?: unknown, token?: string, version?: string) => Promise<Obj>

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nova-recovery-'))
    mainDb = await openDatabase(`sqlite:///${path.join(dir, 'main.sqlite')}`)
    await syncSchema(mainDb, 'main')
    placement = await placementHarness()
    const apiDb = placement.db
    bus = await openTestBus({ name: 'memory', url: 'memory://' })
    const { config } = loadConfig({ overrides: {} })
    const logger = silentLogger()
    const servicesRepo = createServicesRepository(mainDb)
    const registry = new DatabaseServiceRegistry(servicesRepo, systemClock)
    const placementClient = () => new PlacementClient(placement.transport)
    const common = { bus, registry, reportIntervalS: 60, serviceVersion: 1, logger }
    conductorClient = new ConductorClient({ bus, timeoutMs: 10_000 })
    const computeClient = new ComputeClient({ bus, timeoutMs: 10_000 })
    const aggregates = createDbAggregateSource(apiDb)
    instances = createInstancesRepository(mainDb)
    conductorBuild = {
      instances,
      actions: createInstanceActionsRepository(mainDb),
      scheduler: new SchedulerClient({ bus, timeoutMs: 10_000 }),
      compute: computeClient,
      placement: placementClient(),
      logger,
    }
    services.push(
      createConductorService({
        ...common,
        host: 'conductor-1',
        services: servicesRepo,
        computeNodes: createComputeNodesRepository(mainDb),
        clock: systemClock,
        build: conductorBuild,
      }),
      createSchedulerService({
        ...common,
        host: 'scheduler-1',
        selection: selectionDepsFromConfig(config, {
          placement: placementClient(),
          aggregates,
          hostStates: createDbHostStateSource({
            mainDb,
            aggregates,
            cellUuid: SINGLE_CELL_UUID,
            serviceDownTimeS: 60,
            defaultAvailabilityZone: 'nova',
            clock: systemClock,
          }),
          logger,
        }),
      }),
    )
    makeCompute = (conductor) =>
      createComputeService({
        ...common,
        host: 'cmp-r',
        conductor,
        driver,
        placement: placementClient(),
        resources: { ...resourceTrackerSettings(config), reservedHostMemoryMb: 0, reservedHostDiskMb: 0 },
        updateResourcesIntervalS: -1,
        syncPowerStateIntervalS: -1,
      })
    for (const s of services) await s.start()
    const app = createComputeApiApp({
      logger,
      auth: { checker, identityUri: 'http://id/v3' },
      policy: new PolicyEnforcer(COMPUTE_POLICIES),
      deps: {
        flavors: new FlavorStore(apiDb),
        keypairs: new KeyPairStore(apiDb),
        servers: {
          instances,
          actions: createInstanceActionsRepository(mainDb),
          apiDb,
          conductor: conductorClient,
          compute: computeClient,
          placement: placementClient(),
          enableInstancePassword: true,
          clock: systemClock,
          logger,
        },
      },
    })
    call = async (method, url, body, token = 'MEMBER_A', version) => {
      const headers: Record<string, string> = { host: 'compute.test:8774', 'x-auth-token': token }
      if (version !== undefined) headers['openstack-api-version'] = `compute ${version}`
      if (body !== undefined) headers['content-type'] = 'application/json'
      const r = await app.inject({
        method: method as 'GET',
        url: `/v2.1${url}`,
        headers,
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      })
      return { status: r.statusCode, body: r.body === '' ? {} : (JSON.parse(r.body) as Obj) }
    }
    const flavor = await call(
      'POST',
      '/flavors',
      { flavor: { name: 'm1.tiny', id: '1', ram: 1024, vcpus: 1, disk: 10 } },
      'ADMIN',
    )
    assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
  })

  after(async () => {
    await compute?.stop(1000)
    for (const s of services.reverse()) await s.stop(1000)
    await bus.close()
    await mainDb.close()
    await placement.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const boot = async (name: string, count = 1): Promise<string[]> => {
    const created = await call('POST', '/servers', {
      server: {
        name,
        flavorRef: '1',
        imageRef: 'cirros',
        min_count: count,
        max_count: count,
        networks: 'none',
      },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    const list = await call('GET', `/servers?name=^${name}`)
    return list.body.servers.map((s: Obj) => s.id as string)
  }
  const server = async (id: string): Promise<Obj> =>
    (await call('GET', `/servers/${id}`, undefined, 'ADMIN')).body
  const status = async (id: string, want: string): Promise<Obj> =>
    await until(`${id} ${want}`, async () => {
      const r = await server(id)
      return r.server?.status === want ? r.server : undefined
    })
  /** The consumers holding allocations against the compute node's provider. */
  const consumersOnNode = async (): Promise<string[]> => {
    const node = compute.resourceTracker.node('cmp-r')
    assert.ok(node)
    const r = await placement.call('GET', `/resource_providers/${node.uuid}/allocations`)
    return Object.keys(r.body.allocations as Obj).sort()
  }

  it('a crash mid-spawn: after the restart every instance is ACTIVE or ERROR with a fault, deletes are finished, placement holds the live ones', async () => {
    const first = killableConductor(conductorClient)
    compute = makeCompute(first.client)
    await compute.start()
    const [done] = await boot('done')
    await status(done!, 'ACTIVE')
    const [deleting] = await boot('deleting')
    await status(deleting!, 'ACTIVE')
    const [rebooting] = await boot('rebooting')
    await status(rebooting!, 'ACTIVE')
    const spawning = await boot('spawning', 2)
    await until('both spawning', async () => {
      const rows = await instances.list({ uuids: spawning })
      return rows.length === 2 && rows.every((r) => r.task_state === 'spawning') ? true : undefined
    })
    // kill -9 mid-spawn; the hypervisor finishes one guest, the other is lost with the crash.
    first.kill()
    await compute.stop(0)
    await sleepMs(800)
    const [survived, lost] = spawning as [string, string]
    await driver.destroy({ uuid: lost, name: '-' })
    // A delete and a reboot the crash interrupted.
    await instances.update(deleting!, { task_state: 'deleting' })
    await instances.update(rebooting!, { task_state: 'rebooting' })
    driver.setPowerState(rebooting!, PowerState.SHUTDOWN)

    compute = makeCompute(conductorClient)
    await compute.start()
    assert.equal((await status(done!, 'ACTIVE'))['OS-EXT-STS:task_state'], null)
    assert.equal((await status(survived, 'ACTIVE'))['OS-EXT-STS:power_state'], PowerState.RUNNING)
    const errored = await status(lost, 'ERROR')
    assert.equal(errored.fault.message, LEFT_IN_BUILD_MESSAGE)
    assert.equal(errored['OS-EXT-STS:task_state'], null)
    const rebooted = await status(rebooting!, 'SHUTOFF')
    assert.equal(rebooted['OS-EXT-STS:task_state'], null)
    assert.equal(rebooted['OS-EXT-STS:power_state'], PowerState.SHUTDOWN)
    assert.equal((await server(deleting!)).itemNotFound?.code, 404)
    assert.deepEqual((await driver.listInstanceUuids()).sort(), [done!, rebooting!, survived].sort())
    assert.deepEqual(await consumersOnNode(), [done!, rebooting!, survived].sort())
    for (const uuid of [deleting!, lost])
      assert.deepEqual((await placement.call('GET', `/allocations/${uuid}`)).body.allocations, {})
  })

  it('the restart heals placement: a lost allocation is recreated, a stray one removed', async () => {
    const live = (await instances.list({ host: 'cmp-r', vmStates: ['active'] })).map((i) => i.uuid)
    assert.ok(live.length > 0)
    await placement.call('DELETE', `/allocations/${live[0]}`)
    const node = compute.resourceTracker.node('cmp-r')!
    const stray = '11111111-2222-3333-4444-555555555555'
    const put = await placement.call('PUT', `/allocations/${stray}`, {
      allocations: { [node.uuid]: { resources: { VCPU: 1 } } },
      project_id: 'project-a',
      user_id: 'u',
      consumer_generation: null,
      consumer_type: 'INSTANCE',
    })
    assert.equal(put.status, 204, JSON.stringify(put.body))
    await compute.stop(1000)
    compute = makeCompute(conductorClient)
    await compute.start()
    const all = (await instances.list({ host: 'cmp-r' })).map((i) => i.uuid)
    assert.deepEqual(await consumersOnNode(), all.sort())
  })

  it('_sync_power_states: a guest that stops or vanishes while ACTIVE is stopped (SHUTOFF) after one run', async () => {
    const [stops, vanishes] = await boot('sync', 2)
    await status(stops!, 'ACTIVE')
    await status(vanishes!, 'ACTIVE')
    driver.setPowerState(stops!, PowerState.CRASHED)
    await driver.destroy({ uuid: vanishes!, name: '-' })
    await compute.syncPowerStates(adminContext())
    const stopped = await server(stops!)
    assert.equal(stopped.server.status, 'SHUTOFF')
    assert.equal(stopped.server['OS-EXT-STS:power_state'], PowerState.SHUTDOWN)
    const gone = await server(vanishes!)
    assert.equal(gone.server.status, 'SHUTOFF')
    assert.equal(
      gone.server['OS-EXT-STS:power_state'],
      PowerState.NOSTATE,
      'as Nova: the state the driver has',
    )
  })

  it('deadlines: an instance past instance_build_timeout goes to ERROR with a fault; an overdue delete is finished', async () => {
    const [stuck] = await boot('stuck')
    const [slowDelete] = await boot('slow-delete')
    await status(slowDelete!, 'ACTIVE')
    await status(stuck!, 'ACTIVE')
    await instances.update(stuck!, { vm_state: 'building', task_state: 'spawning' })
    await instances.update(slowDelete!, { task_state: 'deleting' })
    const now = { now: () => new Date(Date.now() + 10_000) }
    const none = await enforceInstanceDeadlines(conductorBuild, systemClock, {
      buildTimeoutS: 3600,
      deleteTimeoutS: 3600,
    })
    assert.deepEqual(none, { errored: [], deleted: [] })
    const result = await enforceInstanceDeadlines(conductorBuild, now as typeof systemClock, {
      buildTimeoutS: 5,
      deleteTimeoutS: 5,
    })
    assert.deepEqual(result, { errored: [stuck], deleted: [slowDelete] })
    const errored = await status(stuck!, 'ERROR')
    assert.equal(errored.fault.message, 'Instance build timed out. Set to error state.')
    assert.equal((await server(slowDelete!)).itemNotFound?.code, 404)
    for (const uuid of [stuck!, slowDelete!])
      assert.deepEqual((await placement.call('GET', `/allocations/${uuid}`)).body.allocations, {})
  })
})
