import { strict as assert } from 'node:assert'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { InProcessBus } from '../../src/bus/index.js'
import { silentLogger } from '../../src/common/logger.js'
import { TokenVerifier } from '../../src/services/identity/client.js'
import { encodeToken, type TokenPayload } from '../../src/services/identity/tokens/token-format.js'
import { startIdentity, type IdentityFixture } from '../support/identity-fixture.js'

describe('TokenVerifier (keystonemiddleware)', () => {
  let id: IdentityFixture
  let verifier: TokenVerifier
  const bus = new InProcessBus()
  const token = (fields: Partial<TokenPayload>): string =>
    encodeToken(id.deps.keys.primary, {
      userId: 'u1',
      methods: ['password'],
      projectId: 'p1',
      roles: [{ id: 'r1', name: 'member' }],
      issuedAt: new Date(Date.now() - 7200_000),
      expiresAt: new Date(Date.now() + 3600_000),
      auditIds: ['a1'],
      ...fields,
    })

  before(async () => {
    id = await startIdentity()
    verifier = await TokenVerifier.start({
      db: id.db,
      keyRepository: path.join(id.dir, 'keys'),
      bus,
      logger: silentLogger(),
    })
  })
  after(async () => {
    await verifier.stop()
    await bus.close()
    await id.close()
  })

  it('accepts a valid token and refuses malformed and expired ones', () => {
    const ok = verifier.verify(token({}))
    assert.equal(typeof ok === 'object' && ok.userId, 'u1')
    assert.equal(verifier.verify('gAAAAAnope'), 'malformed')
    assert.equal(verifier.verify(token({ expiresAt: new Date(Date.now() - 1000) })), 'expired')
  })

  it('accepts an expired user token when a service token vouches for it, and only then', () => {
    const expired = token({ expiresAt: new Date(Date.now() - 60_000) })
    const service = token({ userId: 'nova', roles: [{ id: 's', name: 'service' }] })
    const notService = token({ userId: 'eve', roles: [{ id: 'm', name: 'member' }] })
    assert.equal(typeof verifier.verify(expired, service), 'object')
    assert.equal(verifier.verify(expired, notService), 'expired')
    assert.equal(verifier.verify(expired, 'garbage'), 'expired')
    assert.equal(
      verifier.verify(token({ expiresAt: new Date(Date.now() - 3 * 24 * 3600_000) }), service),
      'expired',
      'beyond the window',
    )
  })

  it('refuses a revoked token even with a service token', async () => {
    await id.deps.revocationCache.revoke({ userId: 'u9', issuedBefore: new Date() })
    await verifier.stop()
    verifier = await TokenVerifier.start({
      db: id.db,
      keyRepository: path.join(id.dir, 'keys'),
      bus,
      logger: silentLogger(),
    })
    const service = token({ userId: 'nova', roles: [{ id: 's', name: 'service' }] })
    assert.equal(verifier.verify(token({ userId: 'u9' }), service), 'revoked')
  })
})
