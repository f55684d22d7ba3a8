import { strict as assert } from 'node:assert'
import { after, describe, it } from 'node:test'
import { silentLogger } from '../../common/logger.js'
import { createComputeApiApp } from './app.js'
import { faultFor } from './faults.js'
import { Conflict } from '../../common/errors/index.js'

describe('compute API frame', () => {
  const app = createComputeApiApp({ logger: silentLogger() })
  after(() => app.close())

  it('serves the versions list with links built from the Host header', async () => {
    const res = await app.inject({ method: 'GET', url: '/', headers: { host: 'cloud.example:8774' } })
    assert.equal(res.statusCode, 200)
    const body = res.json() as { versions: { id: string; status: string; links: { href: string }[] }[] }
    assert.deepEqual(
      body.versions.map((v) => [v.id, v.status]),
      [
        ['v2.0', 'DEPRECATED'],
        ['v2.1', 'CURRENT'],
      ],
    )
    assert.equal(body.versions[1]?.links[0]?.href, 'http://cloud.example:8774/v2.1/')
  })

  it('serves the v2.1 version document with media types', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2.1/' })
    const body = res.json() as { version: { id: string; min_version: string; 'media-types': unknown[] } }
    assert.equal(body.version.id, 'v2.1')
    assert.equal(body.version.min_version, '2.1')
    assert.equal(body.version['media-types'].length, 1)
  })

  it('answers an unknown path with an itemNotFound fault and a request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/v2.1/nothing-here' })
    assert.equal(res.statusCode, 404)
    const body = res.json() as { itemNotFound: { code: number; message: string } }
    assert.equal(body.itemNotFound.code, 404)
    assert.match(String(res.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/)
    assert.equal(res.headers['x-compute-request-id'], res.headers['x-openstack-request-id'])
  })

  it('maps a domain error to its fault and anything else to computeFault without internals', () => {
    assert.deepEqual(faultFor(new Conflict('busy'), 'req-1'), {
      status: 409,
      body: { conflictingRequest: { code: 409, message: 'busy' } },
    })
    const fault = faultFor(new TypeError('secret detail'), 'req-2')
    assert.equal(fault.status, 500)
    assert.ok(!JSON.stringify(fault.body).includes('secret detail'))
    assert.ok(JSON.stringify(fault.body).includes('req-2'))
  })
})
