// The in-process cloud of the build-flow tests: compute API + conductor + scheduler + placement + N fake computes.
import { strict as assert } from 'node:assert'
import { Readable } from 'node:stream'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { systemClock } from '../../src/common/clock.js'
import { silentLogger, type Logger } from '../../src/common/logger.js'
import type { MessageBus } from '../../src/bus/index.js'
import { loadConfig } from '../../src/config/index.js'
import {
  createComputeNodesRepository,
  createServicesRepository,
  openDatabase,
  syncSchema,
  type Database,
} from '../../src/db/index.js'
import {
  createInstanceActionsRepository,
  type InstanceActionsRepository,
} from '../../src/db/repositories/instance-actions.js'
import { createBuildRequestsRepository } from '../../src/db/repositories/build-requests.js'
import { createInstancesRepository, type InstancesRepository } from '../../src/db/repositories/instances.js'
import { PolicyEnforcer } from '../../src/policy/index.js'
import { DatabaseServiceRegistry } from '../../src/service/database-service-registry.js'
import type { Service } from '../../src/service/service.js'
import { createComputeApiApp } from '../../src/services/compute-api/app.js'
import { COMPUTE_POLICIES } from '../../src/services/compute-api/policies.js'
import type { ServerDeps } from '../../src/services/compute-api/servers/deps.js'
import { FlavorStore } from '../../src/services/compute-api/store/flavors.js'
import { KeyPairStore } from '../../src/services/compute-api/store/keypairs.js'
import { ComputeClient } from '../../src/services/compute/client.js'
import {
  createComputeService,
  resourceTrackerSettings,
  type ComputeService,
} from '../../src/services/compute/index.js'
import { FakeDriver, type FakeDriverOptions } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { ConductorClient } from '../../src/services/conductor/client.js'
import type { ConductorBuildDeps } from '../../src/services/conductor/conductor-deps.js'
import { createConductorService } from '../../src/services/conductor/index.js'
import type { TokenChecker, TokenPayload } from '../../src/services/identity/client.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { SchedulerClient } from '../../src/services/scheduler/client.js'
import {
  createDbAggregateSource,
  createDbHostStateSource,
  createSchedulerService,
  selectionDepsFromConfig,
  SINGLE_CELL_UUID,
} from '../../src/services/scheduler/index.js'
import { createImageApp } from '../../src/services/image/app.js'
import { ImageClient } from '../../src/services/image/client.js'
import { FileImageStore } from '../../src/services/image/file-store.js'
import { createImageRecords } from '../../src/services/image/store/image-records.js'
import { placementHarness, type PlacementHarness } from '../placement/support.js'
import { persona } from './personas.js'
import { openTestBus } from './test-bus.js'

export type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** The personas every cloud knows (tokens are their names). */
export const BUILD_TOKENS: Readonly<Record<string, TokenPayload>> = {
  ADMIN: persona('admin-project', ['admin', 'member', 'reader']),
  MEMBER_A: persona('project-a', ['member', 'reader']),
  MEMBER_B: persona('project-b', ['member', 'reader']),
}

/** Polls `fn` every 50 ms until it returns something other than undefined. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export interface BuildCloudOptions {
  /** Fake computes started with the cloud, one FakeDriver each (default cmp-1 and cmp-2; [] for none). */
  readonly computes?: readonly string[]
  /** Options of each host's FakeDriver over the default 4 vcpus, 4096 MB, 100 GB. */
  readonly driver?: (host: string) => Partial<FakeDriverOptions>
  /** More personas (token → payload). */
  readonly tokens?: Readonly<Record<string, TokenPayload>>
  /**
   * Only the compute API over these two databases: no placement, conductor, scheduler or computes (the casts
   * go nowhere and the servers stay in BUILD).
   */
  readonly apiOnly?: { readonly mainUrl: string; readonly apiUrl: string }
  /** The cell (main) database's URL, e.g. a PostgreSQL test database (default: a SQLite file of its own). */
  readonly mainUrl?: string
  /** Overrides of the servers resource's dependencies (quota, …). */
  readonly servers?: (cloud: BuildCloud) => Partial<ServerDeps>
  /** Serve the admin resources too (os-migrations, server migrations, os-services, …). */
  readonly admin?: boolean
  /** Config overrides for loadConfig (`{ scheduler: { max_attempts: '2' } }`, …). */
  readonly config?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>
}

export type ApiCall = (
  method: string,
  url: string,
  body?: unknown,
  token?: string,
  version?: string,
) => Promise<{ status: number; body: Obj }>

export interface ComputeOptions {
  readonly conductor?: ConductorClient
  readonly driver?: FakeDriver
  readonly syncPowerStateIntervalS?: number
  /** `[DEFAULT] force_config_drive` of this compute. */
  readonly forceConfigDrive?: boolean
  /** The image service this compute uploads snapshots to (and deletes shelved images from). */
  readonly images?: ImageClient
}

export interface BuildCloud {
  readonly dir: string
  readonly mainDb: Database<unknown>
  readonly apiDb: Database<unknown>
  /** Undefined with `apiOnly`. */
  readonly placement: PlacementHarness | undefined
  readonly bus: MessageBus
  readonly config: ReturnType<typeof loadConfig>['config']
  readonly logger: Logger
  readonly instances: InstancesRepository
  readonly actions: InstanceActionsRepository
  readonly conductorClient: ConductorClient
  readonly computeClient: ComputeClient
  /** The conductor's build dependencies (undefined with `apiOnly`). */
  readonly conductorBuild: ConductorBuildDeps | undefined
  /** The started fake computes and their drivers, by host. */
  readonly computes: Map<string, ComputeService>
  readonly drivers: Map<string, FakeDriver>
  /** The public, active image `cirros` (raw, 1 KiB) every server boots from. */
  readonly imageId: string
  /** The image service's endpoint (token ADMIN or any persona). */
  readonly imageUrl: string
  /** The image service (Glance v2 on a local port) as `token` (default ADMIN) sees it. */
  images(token?: string): ImageClient
  /** Calls the compute API (`/v2.1` + url) as `token` (default MEMBER_A) at `version`. */
  readonly call: ApiCall
  /** Waits for the server's status (as ADMIN); returns the server. */
  status(id: string, want: string): Promise<Obj>
  /** A compute service for `host` (not started), sharing the cloud's bus and placement. */
  makeCompute(host: string, options?: ComputeOptions): ComputeService
  close(): Promise<void>
}

/** Starts the cloud and creates flavor `1` (m1.tiny: 1 vcpu, 1024 MB, 10 GB) as ADMIN. */
export async function startBuildCloud(options: BuildCloudOptions = {}): Promise<BuildCloud> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-build-cloud-'))
  const tokens = { ...BUILD_TOKENS, ...options.tokens }
  const checker: TokenChecker = { verify: (token) => tokens[token] ?? 'malformed' }
  const apiOnly = options.apiOnly
  const mainDb = await openDatabase(
    apiOnly?.mainUrl ?? options.mainUrl ?? `sqlite:///${path.join(dir, 'main.sqlite')}`,
  )
  await syncSchema(mainDb, 'main')
  const placement = apiOnly === undefined ? await placementHarness() : undefined
  const apiDb = placement?.db ?? (await openDatabase(apiOnly!.apiUrl))
  if (placement === undefined) await syncSchema(apiDb, 'api')
  const bus = await openTestBus({ name: 'memory', url: 'memory://' })
  const { config } = loadConfig({ overrides: options.config ?? {} })
  const logger = silentLogger()
  const servicesRepo = createServicesRepository(mainDb)
  const registry = new DatabaseServiceRegistry(servicesRepo, systemClock)
  const placementClient = () =>
    placement === undefined ? undefined : new PlacementClient(placement.transport)
  const common = { bus, registry, reportIntervalS: 60, serviceVersion: 1, logger }
  const conductorClient = new ConductorClient({ bus, timeoutMs: 10_000 })
  const computeClient = new ComputeClient({ bus, timeoutMs: 10_000 })
  const instances = createInstancesRepository(mainDb)
  const actions = createInstanceActionsRepository(mainDb)
  const services: Service[] = []
  const computes = new Map<string, ComputeService>()
  const drivers = new Map<string, FakeDriver>()
  const conductorBuild: ConductorBuildDeps | undefined =
    placement === undefined
      ? undefined
      : {
          instances,
          actions,
          scheduler: new SchedulerClient({ bus, timeoutMs: 10_000 }),
          compute: computeClient,
          placement: placementClient(),
          buildRequests: createBuildRequestsRepository(apiDb),
          maxAttempts: config.scheduler.max_attempts,
          logger,
        }

  const makeCompute = (host: string, o: ComputeOptions = {}): ComputeService => {
    const driver =
      o.driver ??
      new FakeDriver({ nodename: host, vcpus: 4, memoryMb: 4096, localGb: 100, ...options.driver?.(host) })
    drivers.set(host, driver)
    return createComputeService({
      ...common,
      host,
      conductor: o.conductor ?? conductorClient,
      driver,
      placement: placementClient(),
      resources: { ...resourceTrackerSettings(config), reservedHostMemoryMb: 0, reservedHostDiskMb: 0 },
      updateResourcesIntervalS: -1,
      reclaimInstanceIntervalS: config.DEFAULT.reclaim_instance_interval,
      ...(o.syncPowerStateIntervalS === undefined
        ? {}
        : { syncPowerStateIntervalS: o.syncPowerStateIntervalS }),
      ...(o.forceConfigDrive === undefined ? {} : { forceConfigDrive: o.forceConfigDrive }),
      ...(o.images === undefined ? {} : { images: o.images }),
    })
  }

  if (placement !== undefined && conductorBuild !== undefined) {
    const aggregates = createDbAggregateSource(apiDb)
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
          placement: placementClient()!,
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
    for (const s of services) await s.start()
    for (const host of options.computes ?? ['cmp-1', 'cmp-2']) {
      const compute = makeCompute(host)
      computes.set(host, compute)
      await compute.start()
    }
  }

  // The image service on a local port, over the API database, knowing the cloud's personas.
  const imageApp = createImageApp(
    {
      images: createImageRecords(apiDb),
      store: new FileImageStore(path.join(dir, 'images')),
      staging: new FileImageStore(path.join(dir, 'images', 'staging')),
      limits: { maxImageBytes: 2 ** 30, imageCountPerProject: 1000, bytesPerProject: 2 ** 40 },
    },
    { logger, publicUrl: 'http://127.0.0.1', auth: { checker, identityUri: 'http://id/v3' } },
  )
  const imageUrl = await imageApp.listen({ host: '127.0.0.1', port: 0 })
  const images = (token = 'ADMIN') => new ImageClient({ baseUrl: imageUrl, token: () => token })
  const cirros = await images().upload(
    { name: 'cirros', disk_format: 'raw', container_format: 'bare', visibility: 'public' },
    Readable.from([Buffer.alloc(1024, 1)]),
  )

  let call: ApiCall = async () => ({ status: 0, body: {} })
  const cloud: BuildCloud = {
    dir,
    mainDb,
    apiDb,
    placement,
    bus,
    config,
    logger,
    instances,
    actions,
    conductorClient,
    computeClient,
    conductorBuild,
    computes,
    drivers,
    imageId: cirros.id,
    imageUrl,
    images,
    call: (...args) => call(...args),
    status: async (id, want) =>
      await until(`${id} ${want}`, async () => {
        const r = await call('GET', `/servers/${id}`, undefined, 'ADMIN')
        return r.status === 200 && r.body.server.status === want ? r.body.server : undefined
      }),
    makeCompute,
    async close() {
      for (const c of [...computes.values()].reverse()) await c.stop(1000)
      for (const s of services.reverse()) await s.stop(1000)
      await imageApp.close()
      await bus.close()
      await mainDb.close()
      if (placement === undefined) await apiDb.close()
      else await placement.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }

  const app = createComputeApiApp({
    logger,
    auth: { checker, identityUri: 'http://id/v3' },
    policy: new PolicyEnforcer(COMPUTE_POLICIES),
    deps: {
      flavors: new FlavorStore(apiDb),
      keypairs: new KeyPairStore(apiDb),
      servers: {
        instances,
        actions,
        apiDb,
        conductor: conductorClient,
        compute: computeClient,
        placement: placementClient(),
        enableInstancePassword: true,
        reclaimInstanceIntervalS: config.DEFAULT.reclaim_instance_interval,
        images,
        clock: systemClock,
        logger,
        ...options.servers?.(cloud),
      },
      ...(options.admin === true
        ? {
            admin: {
              mainDb,
              apiDb,
              services: servicesRepo,
              computeNodes: createComputeNodesRepository(mainDb),
              clock: systemClock,
              logger,
              settings: {
                serviceDownTime: config.DEFAULT.service_down_time,
                defaultAvailabilityZone: config.DEFAULT.default_availability_zone,
                internalAvailabilityZone: config.DEFAULT.internal_service_availability_zone,
                quotaDefaults: {},
              },
              placement: placementClient,
            },
          }
        : {}),
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
  return cloud
}
