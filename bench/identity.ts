import { performance } from 'node:perf_hooks'
import { ADMIN_PASSWORD, startIdentity } from '../test/support/identity-fixture.js'
import { authenticate } from '../src/services/identity/authenticate.js'
import { issueToken } from '../src/services/identity/token-service.js'
import { decodeToken } from '../src/services/identity/tokens/token-format.js'
import { printTable } from './table.js'

/**
 * Token issue rate (password method: bcrypt dominates, at Keystone's cost 12 and at the test cost 4) and
 * token validation rate as the middleware does it (decrypt + expiry + revocation check, no I/O).
 */
export async function benchIdentity(): Promise<void> {
  const rows: (string | number)[][] = []
  for (const rounds of [12, 4]) {
    const id = await startIdentity({ passwordHashRounds: rounds })
    try {
      const body = {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', domain: { id: 'default' }, password: ADMIN_PASSWORD } },
          },
          scope: { project: { name: 'admin', domain: { id: 'default' } } },
        },
      }
      const n = rounds === 12 ? 20 : 200
      let start = performance.now()
      let token = ''
      for (let i = 0; i < n; i++) token = issueToken(id.deps, await authenticate(id.deps, body))
      const issuePerS = n / ((performance.now() - start) / 1000)

      const m = 100_000
      const keys = id.deps.keys.all
      start = performance.now()
      for (let i = 0; i < m; i++) {
        const payload = decodeToken(keys, token)
        if (
          payload === undefined ||
          payload.expiresAt.getTime() < Date.now() ||
          id.deps.revocationCache.covers(payload)
        )
          throw new Error('refused')
      }
      const validatePerS = m / ((performance.now() - start) / 1000)
      rows.push([`bcrypt cost ${rounds}`, issuePerS, validatePerS, token.length])
    } finally {
      await id.close()
    }
  }
  printTable(
    [
      'passwords',
      'token issue/s (password auth, 1 core)',
      'token validations/s (middleware, 1 core)',
      'token length',
    ],
    rows,
  )
}
