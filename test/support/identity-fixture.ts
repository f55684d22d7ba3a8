import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import { createIdentityApp } from '../../src/services/identity/app.js'
import { bootstrapIdentity } from '../../src/services/identity/bootstrap.js'
import type { IdentityDeps, IdentitySettings } from '../../src/services/identity/identity-deps.js'
import { buildIdentityDeps } from '../../src/services/identity/index.js'

export const ADMIN_PASSWORD = 'admin-secret'

export interface IdentityFixture {
  readonly app: FastifyInstance
  readonly deps: IdentityDeps
  readonly db: Database<unknown>
  readonly dir: string
  /** POST /v3/auth/tokens with a password; returns the response. */
  login(
    user: string,
    password: string,
    project?: string,
  ): Promise<{ status: number; token: string; body: Record<string, unknown> }>
  /** A JSON request with X-Auth-Token. */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD',
    url: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>
  /** Builds a second identity app on the same database and keys (a restart). */
  restart(): Promise<IdentityFixture>
  close(): Promise<void>
}

export async function startIdentity(
  settings: Partial<IdentitySettings> = {},
  existing?: { dir: string; db: Database<unknown> },
): Promise<IdentityFixture> {
  const dir = existing?.dir ?? mkdtempSync(path.join(tmpdir(), 'nova-identity-'))
  const db = existing?.db ?? (await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`))
  await syncSchema(db, 'api')
  const full: IdentitySettings = {
    tokenExpirationS: 3600,
    defaultDomainId: 'default',
    passwordHashRounds: 4,
    lockoutFailureAttempts: undefined,
    lockoutDurationS: 1800,
    publicUrl: 'http://identity.test:5000',
    ...settings,
  }
  const deps = await buildIdentityDeps(db, full, path.join(dir, 'keys'), silentLogger())
  await bootstrapIdentity(deps, {
    adminPassword: ADMIN_PASSWORD,
    regionId: 'RegionOne',
    endpoints: [
      { type: 'identity', name: 'keystone', url: 'http://identity.test:5000/v3' },
      { type: 'compute', name: 'nova', url: 'http://compute.test:8774/v2.1' },
    ],
  })
  const app = createIdentityApp(deps, silentLogger())
  const fixture: IdentityFixture = {
    app,
    deps,
    db,
    dir,
    async login(user, password, project) {
      const res = await app.inject({
        method: 'POST',
        url: '/v3/auth/tokens',
        payload: {
          auth: {
            identity: {
              methods: ['password'],
              password: { user: { name: user, domain: { id: 'default' }, password } },
            },
            ...(project === undefined
              ? {}
              : { scope: { project: { name: project, domain: { id: 'default' } } } }),
          },
        },
      })
      return {
        status: res.statusCode,
        token: String(res.headers['x-subject-token'] ?? ''),
        body: res.json() as Record<string, unknown>,
      }
    },
    async call(method, url, token, body) {
      const res = await app.inject({
        method,
        url,
        headers: { 'x-auth-token': token },
        ...(body === undefined ? {} : { payload: body as object }),
      })
      return {
        status: res.statusCode,
        body: res.body === '' ? {} : (res.json() as Record<string, unknown>),
        headers: res.headers,
      }
    },
    restart: () => startIdentity(settings, { dir, db }),
    async close() {
      await app.close()
      if (existing === undefined) {
        await db.close()
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
  return fixture
}
