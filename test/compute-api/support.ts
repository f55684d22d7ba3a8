import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import { PolicyEnforcer } from '../../src/policy/index.js'
import type { TokenChecker, TokenPayload } from '../../src/services/identity/client.js'
import { createComputeApiApp } from '../../src/services/compute-api/app.js'
import { COMPUTE_POLICIES } from '../../src/services/compute-api/policies.js'
import { FlavorStore } from '../../src/services/compute-api/store/flavors.js'
import { KeyPairStore } from '../../src/services/compute-api/store/keypairs.js'
import { persona } from '../support/personas.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Token personas: an admin, and a member of each of two projects (roles as Keystone expands implied ones). */
export const TOKENS: Record<string, TokenPayload> = {
  ADMIN: persona('admin-project', ['admin', 'member', 'reader']),
  MEMBER_A: persona('project-a', ['member', 'reader']),
  MEMBER_B: persona('project-b', ['member', 'reader']),
  READER_A: { ...persona('project-a', ['reader']), userId: 'reader-of-a' },
}
const checker: TokenChecker = { verify: (token) => TOKENS[token] ?? 'malformed' }

export interface CallOptions {
  /** Microversion (`OpenStack-API-Version: compute X`); undefined sends none (→ 2.1). */
  version?: string
  /** Persona name; null sends no token. Default ADMIN. */
  token?: string | null
  headers?: Record<string, string>
}

export interface CallResult {
  status: number
  body: Obj
  headers: Record<string, unknown>
}

export interface ComputeApiHarness {
  readonly db: Database<unknown>
  call(method: string, url: string, body?: unknown, options?: CallOptions): Promise<CallResult>
  close(): Promise<void>
}

/** The compute API over a fresh SQLite API database, called in-process (`inject`). */
export async function computeApiHarness(
  settings: { maxLimit?: number; keypairQuota?: number; overrides?: Map<string, string> } = {},
): Promise<ComputeApiHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-compute-api-'))
  const db = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
  await syncSchema(db, 'api')
  const app = createComputeApiApp({
    logger: silentLogger(),
    auth: { checker, identityUri: 'http://id/v3' },
    policy: new PolicyEnforcer(COMPUTE_POLICIES, settings.overrides),
    deps: {
      flavors: new FlavorStore(db),
      keypairs: new KeyPairStore(db),
      ...(settings.maxLimit === undefined ? {} : { maxLimit: settings.maxLimit }),
      ...(settings.keypairQuota === undefined ? {} : { keypairQuota: settings.keypairQuota }),
    },
  })
  return {
    db,
    async call(method, url, body, options = {}) {
      const headers: Record<string, string> = { host: 'compute.test:8774', ...options.headers }
      if (options.version !== undefined) headers['openstack-api-version'] = `compute ${options.version}`
      if (options.token !== null) headers['x-auth-token'] = options.token ?? 'ADMIN'
      if (body !== undefined) headers['content-type'] = 'application/json'
      const r = await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      })
      return {
        status: r.statusCode,
        body: r.body === '' ? {} : (JSON.parse(r.body) as Obj),
        headers: r.headers,
      }
    },
    async close() {
      await app.close()
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A flavor body for POST /flavors. */
export const flavorBody = (name: string, extra: Obj = {}): Obj => ({
  flavor: { name, ram: 512, vcpus: 1, disk: 1, ...extra },
})
