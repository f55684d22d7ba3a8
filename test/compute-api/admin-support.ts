import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Clock } from '../../src/common/clock.js'
import { silentLogger } from '../../src/common/logger.js'
import { loadConfig } from '../../src/config/index.js'
import {
  createComputeNodesRepository,
  createServicesRepository,
  openDatabase,
  syncSchema,
  type Database,
  type ServiceRecord,
} from '../../src/db/index.js'
import { createInstancesRepository } from '../../src/db/repositories/instances.js'
import { PolicyEnforcer } from '../../src/policy/index.js'
import type { TokenChecker } from '../../src/services/identity/client.js'
import { createComputeApiApp } from '../../src/services/compute-api/app.js'
import { createAdminDeps, type AdminDeps } from '../../src/services/compute-api/admin/deps.js'
import type { ComputeApiEnv } from '../../src/services/compute-api/env.js'
import { COMPUTE_POLICIES } from '../../src/services/compute-api/policies.js'
import { FlavorStore } from '../../src/services/compute-api/store/flavors.js'
import { KeyPairStore } from '../../src/services/compute-api/store/keypairs.js'
import type { PlacementClient } from '../../src/services/placement/client.js'
import { TOKENS, type CallOptions, type CallResult } from './support.js'

export { TOKENS }
const checker: TokenChecker = { verify: (token) => TOKENS[token] ?? 'malformed' }

export interface AdminHarness {
  readonly mainDb: Database<unknown>
  readonly apiDb: Database<unknown>
  readonly admin: AdminDeps
  /** The clock the API reads; tests move it. */
  readonly clock: Clock & { set(at: Date): void }
  call(method: string, url: string, body?: unknown, options?: CallOptions): Promise<CallResult>
  /** A service row that heartbeat now. */
  addService(host: string, binary: string): Promise<ServiceRecord>
  /** A nova-compute service and its compute node (as the resource tracker reports it). */
  addCompute(
    host: string,
    fields?: Record<string, number | string>,
  ): Promise<{ service: ServiceRecord; nodeUuid: string }>
  addInstance(fields: Record<string, unknown>): Promise<string>
  close(): Promise<void>
}

/** The compute API with the admin resources over fresh SQLite main and API databases, called in-process. */
export async function adminHarness(
  options: {
    placement?: PlacementClient
    overrides?: Record<string, Record<string, string>>
    /** nova-compute's RPC as the admin resources see it (hypervisor uptime); default none. */
    compute?: AdminDeps['compute']
  } = {},
): Promise<AdminHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-compute-admin-'))
  const mainDb = await openDatabase(`sqlite:///${path.join(dir, 'main.sqlite')}`)
  const apiDb = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
  await syncSchema(mainDb, 'main')
  await syncSchema(apiDb, 'api')
  let time = new Date()
  const clock = { now: () => time, set: (at: Date) => void (time = at) }
  const env = {
    config: loadConfig({ overrides: options.overrides ?? {} }).config,
    mainDb,
    apiDb,
    clock,
    logger: silentLogger(),
    bus: undefined as never,
    registry: undefined as never,
  } satisfies ComputeApiEnv
  const admin = createAdminDeps(env, options.placement === undefined ? {} : { placement: options.placement })
  const withPlacement: AdminDeps =
    options.placement === undefined ? { ...admin, placement: () => undefined } : admin
  const noPlacement: AdminDeps =
    options.compute === undefined ? withPlacement : { ...withPlacement, compute: options.compute }
  const app = createComputeApiApp({
    logger: silentLogger(),
    auth: { checker, identityUri: 'http://id/v3' },
    policy: new PolicyEnforcer(COMPUTE_POLICIES),
    deps: { flavors: new FlavorStore(apiDb), keypairs: new KeyPairStore(apiDb), admin: noPlacement },
  })
  const services = createServicesRepository(mainDb)
  const nodes = createComputeNodesRepository(mainDb)
  const instances = createInstancesRepository(mainDb)
  const addService = async (host: string, binary: string): Promise<ServiceRecord> => {
    const s = await services.create({ host, binary, topic: binary.replace('nova-', ''), version: 66 })
    await services.heartbeat(s.id, new Date())
    return await services.getById(s.id)
  }
  return {
    mainDb,
    apiDb,
    admin: noPlacement,
    clock,
    async call(method, url, body, callOptions = {}) {
      const headers: Record<string, string> = { host: 'compute.test:8774', ...callOptions.headers }
      if (callOptions.version !== undefined)
        headers['openstack-api-version'] = `compute ${callOptions.version}`
      if (callOptions.token !== null) headers['x-auth-token'] = callOptions.token ?? 'ADMIN'
      if (body !== undefined) headers['content-type'] = 'application/json'
      const r = await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      })
      return { status: r.statusCode, body: r.body === '' ? {} : JSON.parse(r.body), headers: r.headers }
    },
    addService,
    async addCompute(host, fields = {}) {
      const service = await addService(host, 'nova-compute')
      const node = await nodes.update(
        host,
        host,
        {
          vcpus: 8,
          memory_mb: 16384,
          local_gb: 100,
          vcpus_used: 0,
          memory_mb_used: 512,
          local_gb_used: 0,
          free_ram_mb: 15872,
          free_disk_gb: 100,
          hypervisor_type: 'fake',
          hypervisor_version: 1000,
          host_ip: '192.0.2.10',
          cpu_info: JSON.stringify({ arch: 'x86_64', model: 'fake' }),
          running_vms: 0,
          current_workload: 0,
          disk_available_least: 100,
          ...fields,
        },
        { serviceId: service.id },
      )
      return { service, nodeUuid: node.uuid }
    },
    async addInstance(fields) {
      const i = await instances.create({ vm_state: 'active', ...fields })
      return i.uuid
    },
    async close() {
      await app.close()
      await mainDb.close()
      await apiDb.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
