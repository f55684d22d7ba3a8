import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import type { TokenChecker, TokenPayload } from '../../src/services/identity/client.js'
import { createPlacementApp } from '../../src/services/placement/app.js'
import type { PlacementTransport } from '../../src/services/placement/client.js'
import type { PlacementDeps } from '../../src/services/placement/placement-deps.js'
import { createPlacementDeps } from '../../src/services/placement/store/create-deps.js'
import { persona } from '../support/personas.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Tokens are checked by identity's TokenVerifier in the service; a table of personas stands in for it here. */
export const TOKENS: Record<string, TokenPayload> = {
  ADMIN: persona('admin', ['admin']),
  SERVICE: persona('service', ['service']),
  MEMBER: persona('proj-a', ['member']),
}
const checker: TokenChecker = { verify: (token) => TOKENS[token] ?? 'malformed' }

export interface PlacementHarness {
  readonly db: Database<unknown>
  readonly deps: PlacementDeps
  /** Calls the API as ADMIN at `version` (default latest); returns status, parsed body and headers. */
  call(
    method: string,
    url: string,
    body?: unknown,
    options?: { version?: string; token?: string | null },
  ): Promise<{ status: number; body: Obj; headers: Record<string, unknown> }>
  /** Raw exchanges for a PlacementClient, as the SERVICE persona. */
  readonly transport: PlacementTransport
  close(): Promise<void>
}

/** A placement API over a fresh SQLite API database, called in-process. */
export async function placementHarness(
  settings: Partial<PlacementDeps['settings']> = {},
): Promise<PlacementHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-placement-'))
  const db = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
  await syncSchema(db, 'api')
  const deps = createPlacementDeps(db, {
    randomizeCandidates: false,
    incompleteConsumerProjectId: '00000000-0000-0000-0000-000000000000',
    incompleteConsumerUserId: '00000000-0000-0000-0000-000000000000',
    ...settings,
  })
  await deps.traits.syncStandard()
  const app = createPlacementApp(deps, {
    logger: silentLogger(),
    auth: { checker, identityUri: 'http://id/v3' },
  })
  return {
    db,
    deps,
    async call(method, url, body, options = {}) {
      const headers: Record<string, string> = {
        'openstack-api-version': `placement ${options.version ?? 'latest'}`,
      }
      if (options.token !== null) headers['x-auth-token'] = options.token ?? 'ADMIN'
      if (body !== undefined) headers['content-type'] = 'application/json'
      const r = await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      })
      return {
        status: r.statusCode,
        body: r.body === '' ? {} : (JSON.parse(r.body) as Obj),
        headers: r.headers,
      }
    },
    transport: async ({ method, path, headers, body }) => {
      const r = await app.inject({
        method: method as 'GET',
        url: path,
        headers: { ...headers, 'x-auth-token': 'SERVICE' },
        ...(body === undefined ? {} : { payload: body }),
      })
      return { status: r.statusCode, body: r.body }
    },
    async close() {
      await app.close()
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
