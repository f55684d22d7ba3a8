import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
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
import { createComputeService, resourceTrackerSettings } from '../../src/services/compute/index.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { ConductorClient } from '../../src/services/conductor/client.js'
import { createConductorService } from '../../src/services/conductor/index.js'
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
  MEMBER_B: persona('project-b', ['member', 'reader']),
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

describe('[build-flow] boot, show, list and delete servers: API + conductor + scheduler + placement + fake computes', () => {
  let dir: string
  let mainDb: Database<unknown>
  let placement: PlacementHarness
  let bus: MessageBus
  const services: Service[] = []
  const drivers: FakeDriver[] = []
  let call: (method: string, url: string, body?: unknown, token?: string, version?: string) => Promise<Obj>

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nova-build-flow-'))
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
    const conductorClient = new ConductorClient({ bus, timeoutMs: 10_000 })
    const compute = new ComputeClient({ bus, timeoutMs: 10_000 })
    const aggregates = createDbAggregateSource(apiDb)
    services.push(
      createConductorService({
        ...common,
        host: 'conductor-1',
        services: servicesRepo,
        computeNodes: createComputeNodesRepository(mainDb),
        clock: systemClock,
        build: {
          instances: createInstancesRepository(mainDb),
          actions: createInstanceActionsRepository(mainDb),
          scheduler: new SchedulerClient({ bus, timeoutMs: 10_000 }),
          compute,
          placement: placementClient(),
          logger,
        },
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
    for (const host of ['cmp-1', 'cmp-2']) {
      const driver = new FakeDriver({
        nodename: host,
        vcpus: 4,
        memoryMb: 4096,
        localGb: 100,
        failSpawnPattern: /^broken/,
      })
      drivers.push(driver)
      services.push(
        createComputeService({
          ...common,
          host,
          conductor: conductorClient,
          driver,
          placement: placementClient(),
          resources: { ...resourceTrackerSettings(config), reservedHostMemoryMb: 0, reservedHostDiskMb: 0 },
          updateResourcesIntervalS: -1,
        }),
      )
    }
    for (const s of services) await s.start()
    const app = createComputeApiApp({
      logger,
      auth: { checker, identityUri: 'http://id/v3' },
      policy: new PolicyEnforcer(COMPUTE_POLICIES),
      deps: {
        flavors: new FlavorStore(apiDb),
        keypairs: new KeyPairStore(apiDb),
        servers: {
          instances: createInstancesRepository(mainDb),
          actions: createInstanceActionsRepository(mainDb),
          apiDb,
          conductor: conductorClient,
          compute,
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
    await call(
      'POST',
      '/flavors',
      { flavor: { name: 'm1.huge', id: '9', ram: 65536, vcpus: 1, disk: 1 } },
      'ADMIN',
    )
  })

  after(async () => {
    for (const s of services.reverse()) await s.stop(1000)
    await bus.close()
    await mainDb.close()
    await placement.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const status = async (id: string, want: string): Promise<Obj> =>
    await until(`${id} ${want}`, async () => {
      const r = await call('GET', `/servers/${id}`, undefined, 'ADMIN')
      return r.status === 200 && r.body.server.status === want ? r.body.server : undefined
    })

  /** The project's usage of VCPU, MEMORY_MB and DISK_GB (all consumer types). */
  const usage = async (): Promise<Obj> => {
    const all = (await placement.call('GET', '/usages?project_id=project-a')).body.usages as Obj
    const sum: Obj = {}
    for (const u of Object.values(all))
      for (const rc of ['VCPU', 'MEMORY_MB', 'DISK_GB']) if (u[rc] > 0) sum[rc] = (sum[rc] ?? 0) + u[rc]
    return sum
  }
  it('boots 3 servers to ACTIVE, with placement usage, list and show; delete frees everything', async () => {
    const created = await call('POST', '/servers', {
      server: {
        name: 'vm',
        flavorRef: '1',
        imageRef: 'cirros',
        min_count: 3,
        max_count: 3,
        networks: 'none',
      },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    assert.equal(created.body.server.adminPass.length, 12)
    assert.deepEqual(created.body.server.security_groups, [{ name: 'default' }])
    assert.equal(created.body.server['OS-DCF:diskConfig'], 'MANUAL')
    const list = await call('GET', '/servers')
    assert.equal(list.body.servers.length, 3)
    assert.deepEqual(list.body.servers.map((s: Obj) => s.name).sort(), ['vm-1', 'vm-2', 'vm-3'])
    const ids: string[] = list.body.servers.map((s: Obj) => s.id)
    for (const id of ids) {
      const server = await status(id, 'ACTIVE')
      assert.equal(server['OS-EXT-STS:vm_state'], 'active')
      assert.equal(server['OS-EXT-STS:task_state'], null)
      assert.equal(server['OS-EXT-STS:power_state'], 1)
      assert.ok(['cmp-1', 'cmp-2'].includes(server['OS-EXT-SRV-ATTR:host']))
      assert.match(server['OS-SRV-USG:launched_at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
      assert.deepEqual(server.flavor.id, '1')
      assert.deepEqual(server.image.id, 'cirros')
      assert.equal(server.tenant_id, 'project-a')
      assert.equal(server.progress, 0)
    }
    assert.deepEqual(await usage(), { VCPU: 3, MEMORY_MB: 3072, DISK_GB: 30 })
    // A member sees no admin attributes; 2.47 embeds the flavor.
    const own = (await call('GET', `/servers/${ids[0]}`, undefined, 'MEMBER_A', '2.47')).body.server
    assert.equal(own['OS-EXT-SRV-ATTR:host'], undefined)
    assert.equal(own.flavor.original_name, 'm1.tiny')
    assert.equal(own.flavor.ram, 1024)
    // detail list with filters
    const detail = await call('GET', '/servers/detail?status=ACTIVE&name=vm-2')
    assert.equal(detail.body.servers.length, 1)
    assert.equal(detail.body.servers[0].name, 'vm-2')
    const page = await call('GET', '/servers?limit=2')
    assert.equal(page.body.servers.length, 2)
    assert.ok(page.body.servers_links[0].href.includes('marker='))
    // rename
    const renamed = await call('PUT', `/servers/${ids[0]}`, { server: { name: 'renamed' } })
    assert.equal(renamed.body.server.name, 'renamed')
    // instance actions: create with the compute's event
    const actions = await call('GET', `/servers/${ids[0]}/os-instance-actions`)
    assert.equal(actions.body.instanceActions[0].action, 'create')
    const action = await call(
      'GET',
      `/servers/${ids[0]}/os-instance-actions/${actions.body.instanceActions[0].request_id}`,
    )
    assert.deepEqual(
      action.body.instanceAction.events.map((e: Obj) => [e.event, e.result]),
      [
        ['conductor_schedule_and_build_instances', 'Success'],
        ['compute__do_build_and_run_instance', 'Success'],
      ],
    )
    // delete
    for (const id of ids) assert.equal((await call('DELETE', `/servers/${id}`)).status, 204)
    for (const id of ids)
      await until(`${id} gone`, async () =>
        (await call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
      )
    assert.equal((await call('GET', '/servers')).body.servers.length, 0)
    assert.deepEqual(await usage(), {})
    for (const d of drivers) assert.deepEqual(await d.listInstanceUuids(), [])
  })

  it('NoValidHost puts the server in ERROR with the explanation as its fault', async () => {
    const created = await call('POST', '/servers', {
      server: { name: 'big', flavorRef: '9', imageRef: 'cirros' },
    })
    assert.equal(created.status, 202)
    const server = await status(created.body.server.id, 'ERROR')
    assert.equal(server.fault.code, 500)
    assert.match(server.fault.message, /^No valid host was found\. 0 of 2 hosts passed/)
    assert.equal(server['OS-EXT-STS:task_state'], null)
    assert.equal((await call('DELETE', `/servers/${server.id}`)).status, 204)
    assert.equal((await call('GET', `/servers/${server.id}`)).status, 404)
  })

  it('a failed spawn puts the server in ERROR with a fault and gives its allocations back', async () => {
    const created = await call('POST', '/servers', {
      server: { name: 'broken-1', flavorRef: '1', imageRef: 'cirros' },
    })
    const id = created.body.server.id
    const server = await status(id, 'ERROR')
    assert.match(server.fault.message, /injected failure/)
    assert.equal(server['OS-EXT-SRV-ATTR:host'], null)
    assert.deepEqual((await placement.call('GET', `/allocations/${id}`)).body.allocations, {})
    assert.equal((await call('DELETE', `/servers/${id}`)).status, 204)
    assert.equal((await call('GET', `/servers/${id}`)).status, 404)
  })

  it('server metadata (set, merge, replace, items) and tags (2.26) with Nova codes', async () => {
    const created = await call('POST', '/servers', {
      server: { name: 'meta-1', flavorRef: '1', imageRef: 'cirros', metadata: { a: '1' } },
    })
    const id = created.body.server.id as string
    const md = (method: string, url: string, body?: unknown) => call(method, `/servers/${id}${url}`, body)
    assert.deepEqual((await md('GET', '/metadata')).body, { metadata: { a: '1' } })
    assert.deepEqual((await md('POST', '/metadata', { metadata: { b: '2' } })).body, {
      metadata: { a: '1', b: '2' },
    })
    assert.deepEqual((await md('PUT', '/metadata', { metadata: { c: '3' } })).body, { metadata: { c: '3' } })
    assert.deepEqual((await md('GET', '/metadata/c')).body, { meta: { c: '3' } })
    assert.equal((await md('GET', '/metadata/a')).status, 404)
    assert.equal((await md('PUT', '/metadata/d', { meta: { e: '5' } })).status, 400, 'body and URI mismatch')
    assert.deepEqual((await md('PUT', '/metadata/d', { meta: { d: '4' } })).body, { meta: { d: '4' } })
    assert.equal((await md('DELETE', '/metadata/c')).status, 204)
    assert.equal((await md('DELETE', '/metadata/c')).status, 404)
    assert.equal((await md('POST', '/metadata', { metadata: { k: 7 } })).status, 400)
    assert.deepEqual((await call('GET', `/servers/${id}`)).body.server.metadata, { d: '4' })

    const tags = (method: string, url: string, body?: unknown) =>
      call(method, `/servers/${id}${url}`, body, 'MEMBER_A', '2.26')
    assert.equal((await call('GET', `/servers/${id}/tags`)).status, 404, 'tags need 2.26')
    assert.deepEqual((await tags('PUT', '/tags', { tags: ['web', 'prod'] })).body, { tags: ['prod', 'web'] })
    assert.equal((await tags('PUT', '/tags/blue')).status, 201)
    assert.equal((await tags('PUT', '/tags/blue')).status, 204)
    assert.equal((await tags('GET', '/tags/blue')).status, 204)
    assert.equal((await tags('PUT', '/tags/a,b')).status, 400)
    assert.deepEqual((await tags('GET', '/tags')).body, { tags: ['blue', 'prod', 'web'] })
    assert.equal((await tags('DELETE', '/tags/web')).status, 204)
    assert.equal((await tags('DELETE', '/tags/web')).status, 404)
    assert.deepEqual((await call('GET', `/servers/${id}`, undefined, 'MEMBER_A', '2.26')).body.server.tags, [
      'blue',
      'prod',
    ])
    assert.equal((await tags('DELETE', '/tags')).status, 204)
    assert.deepEqual((await tags('GET', '/tags')).body, { tags: [] })
    await status(id, 'ACTIVE')
    assert.equal((await call('DELETE', `/servers/${id}`)).status, 204)
  })

  it('server groups: create (policies before 2.64, policy + rules from it), list, show, delete, project scoped', async () => {
    const old = await call('POST', '/os-server-groups', {
      server_group: { name: 'g1', policies: ['anti-affinity'] },
    })
    assert.equal(old.status, 200, JSON.stringify(old.body))
    assert.deepEqual(old.body.server_group.policies, ['anti-affinity'])
    assert.deepEqual(old.body.server_group.members, [])
    assert.equal(old.body.server_group.project_id, undefined, 'project_id from 2.13')
    const made = await call(
      'POST',
      '/os-server-groups',
      { server_group: { name: 'g2', policy: 'anti-affinity', rules: { max_server_per_host: 2 } } },
      'MEMBER_A',
      '2.64',
    )
    assert.equal(made.status, 200, JSON.stringify(made.body))
    assert.deepEqual(
      [made.body.server_group.policy, made.body.server_group.rules],
      ['anti-affinity', { max_server_per_host: 2 }],
    )
    const bad = await call(
      'POST',
      '/os-server-groups',
      { server_group: { name: 'g3', policy: 'affinity', rules: { max_server_per_host: 2 } } },
      'MEMBER_A',
      '2.64',
    )
    assert.equal(bad.status, 400)
    assert.equal(
      (await call('POST', '/os-server-groups', { server_group: { name: 'g4', policies: ['soft-affinity'] } }))
        .status,
      400,
      'soft policies from 2.15',
    )
    const listed = await call('GET', '/os-server-groups', undefined, 'MEMBER_A', '2.13')
    assert.deepEqual(listed.body.server_groups.map((g: { name: string }) => g.name).sort(), ['g1', 'g2'])
    assert.equal(listed.body.server_groups[0].project_id, 'project-a')
    const other = await call('GET', `/os-server-groups/${made.body.server_group.id}`, undefined, 'MEMBER_B')
    assert.equal(other.status, 404, 'another project does not see it')
    assert.equal((await call('DELETE', `/os-server-groups/${old.body.server_group.id}`)).status, 204)
    assert.equal((await call('GET', `/os-server-groups/${old.body.server_group.id}`)).status, 404)
  })

  it('the group scheduler hint places anti-affinity members apart and affinity members together', async () => {
    const anti = await call('POST', '/os-server-groups', {
      server_group: { name: 'apart', policies: ['anti-affinity'] },
    })
    const together = await call('POST', '/os-server-groups', {
      server_group: { name: 'together', policies: ['affinity'] },
    })
    const boot = (name: string, group: string, count = 1) =>
      call('POST', '/servers', {
        server: { name, flavorRef: '1', imageRef: 'cirros', min_count: count, max_count: count },
        'os:scheduler_hints': { group },
      })
    const hostsOf = async (prefix: string) => {
      const list = (await call('GET', `/servers/detail?name=${prefix}`)).body.servers as Obj[]
      return Promise.all(
        list.map(async (s) => (await status(s.id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'] as string),
      )
    }
    assert.equal((await boot('apart', anti.body.server_group.id, 2)).status, 202)
    const apart = await hostsOf('apart')
    assert.equal(apart.length, 2)
    assert.equal(new Set(apart).size, 2, `anti-affinity members on different hosts: ${apart.join(', ')}`)
    const third = await boot('apart-3', anti.body.server_group.id)
    const refused = await status(third.body.server.id, 'ERROR')
    assert.match(refused.fault.message, /ServerGroupAntiAffinityFilter/)
    assert.equal((await boot('together', together.body.server_group.id, 2)).status, 202)
    const close = await hostsOf('together')
    assert.equal(new Set(close).size, 1, `affinity members on one host: ${close.join(', ')}`)
    const members = (await call('GET', `/os-server-groups/${anti.body.server_group.id}`)).body.server_group
      .members
    assert.equal(members.length, 3)
    assert.equal(
      (await boot('nogroup', '00000000-0000-0000-0000-000000000000')).status,
      400,
      'an unknown group is refused',
    )
    for (const s of (await call('GET', '/servers')).body.servers as Obj[])
      assert.equal((await call('DELETE', `/servers/${s.id}`)).status, 204)
  })

  it('unknown flavors and servers answer 400 and 404', async () => {
    const r = await call('POST', '/servers', { server: { name: 'x', flavorRef: 'nope', imageRef: 'cirros' } })
    assert.equal(r.status, 400)
    assert.equal(r.body.badRequest.message, 'Flavor nope could not be found.')
    const missing = await call('GET', '/servers/00000000-0000-0000-0000-000000000000')
    assert.equal(missing.status, 404)
    assert.equal(
      missing.body.itemNotFound.message,
      'Instance 00000000-0000-0000-0000-000000000000 could not be found.',
    )
  })
})
