import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { computeApiHarness, flavorBody, type ComputeApiHarness } from './support.js'

describe('compute API frame: microversions, faults, request ids, project ids in URLs', () => {
  let api: ComputeApiHarness
  before(async () => {
    api = await computeApiHarness()
  })
  after(() => api.close())

  it('advertises 2.1 to 2.100 in the version documents', async () => {
    const root = await api.call('GET', '/', undefined, { token: null })
    assert.equal(root.body.versions[1].version, '2.100')
    assert.equal(root.body.versions[1].min_version, '2.1')
    const v21 = await api.call('GET', '/v2.1/', undefined, { token: null })
    assert.equal(v21.body.version.version, '2.100')
  })

  it('runs at 2.1 without a header and echoes both version headers with Vary', async () => {
    const r = await api.call('GET', '/v2.1/flavors')
    assert.equal(r.status, 200)
    assert.equal(r.headers['openstack-api-version'], 'compute 2.1')
    assert.equal(r.headers['x-openstack-nova-api-version'], '2.1')
    assert.equal(r.headers.vary, 'openstack-api-version, x-openstack-nova-api-version')
  })

  it('negotiates the new header, the legacy header and latest; numeric comparison (2.10 > 2.9)', async () => {
    const newer = await api.call('GET', '/v2.1/flavors', undefined, { version: '2.10' })
    assert.equal(newer.headers['openstack-api-version'], 'compute 2.10')
    const legacy = await api.call('GET', '/v2.1/flavors', undefined, {
      headers: { 'x-openstack-nova-api-version': '2.55' },
    })
    assert.equal(legacy.headers['x-openstack-nova-api-version'], '2.55')
    const both = await api.call('GET', '/v2.1/flavors', undefined, {
      version: '2.60',
      headers: { 'x-openstack-nova-api-version': '2.3' },
    })
    assert.equal(both.headers['openstack-api-version'], 'compute 2.60')
    const latest = await api.call('GET', '/v2.1/flavors', undefined, { version: 'latest' })
    assert.equal(latest.headers['openstack-api-version'], 'compute 2.100')
    const otherService = await api.call('GET', '/v2.1/flavors', undefined, {
      headers: { 'openstack-api-version': 'placement 1.30' },
    })
    assert.equal(otherService.headers['openstack-api-version'], 'compute 2.1')
  })

  it('answers 406 outside the range and 400 for a malformed version, in Nova fault shapes', async () => {
    const high = await api.call('GET', '/v2.1/flavors', undefined, { version: '2.101' })
    assert.equal(high.status, 406)
    assert.deepEqual(Object.keys(high.body), ['computeFault'])
    assert.equal(high.body.computeFault.code, 406)
    assert.match(high.body.computeFault.message, /Minimum is 2.1 and maximum is 2.100/)
    const low = await api.call('GET', '/v2.1/flavors', undefined, { version: '2.0' })
    assert.equal(low.status, 406)
    const three = await api.call('GET', '/v2.1/flavors', undefined, { version: '3.1' })
    assert.equal(three.status, 406)
    const bad = await api.call('GET', '/v2.1/flavors', undefined, { version: 'two' })
    assert.equal(bad.status, 400)
    assert.match(bad.body.badRequest.message, /API Version String two is of invalid format/)
  })

  it('sets x-openstack-request-id and x-compute-request-id on every response, errors included', async () => {
    for (const r of [
      await api.call('GET', '/v2.1/flavors'),
      await api.call('GET', '/v2.1/flavors/nope'),
      await api.call('GET', '/'),
    ]) {
      assert.match(String(r.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/)
      assert.equal(r.headers['x-compute-request-id'], r.headers['x-openstack-request-id'])
    }
  })

  it('gives every error a Nova fault body: itemNotFound, badRequest for bad JSON and schema, forbidden', async () => {
    const missing = await api.call('GET', '/v2.1/flavors/nope')
    assert.equal(missing.headers['openstack-api-version'], 'compute 2.1', 'faults echo the version too')
    assert.deepEqual(missing.body, {
      itemNotFound: { code: 404, message: 'Flavor nope could not be found.' },
    })
    const badJson = await api.call('POST', '/v2.1/flavors', '{"flavor": ')
    assert.deepEqual(badJson.body, { badRequest: { code: 400, message: 'Malformed request body' } })
    const schema = await api.call('POST', '/v2.1/flavors', {
      flavor: { name: 'x', ram: 'lots', vcpus: 1, disk: 1 },
    })
    assert.equal(schema.status, 400)
    assert.match(schema.body.badRequest.message, /^Invalid input for field\/attribute ram\. Value: lots\./)
    const extra = await api.call('POST', '/v2.1/flavors', flavorBody('x', { colour: 'red' }))
    assert.match(
      extra.body.badRequest.message,
      /Additional properties are not allowed \('colour' was unexpected\)/,
    )
    const forbidden = await api.call('POST', '/v2.1/flavors', flavorBody('x'), { token: 'MEMBER_A' })
    assert.deepEqual(forbidden.body, {
      forbidden: {
        code: 403,
        message: "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.",
      },
    })
    const unknown = await api.call('GET', '/v2.1/no-such-thing')
    assert.equal(unknown.body.itemNotFound.code, 404)
  })

  it('refuses a request without a token with 401 and keeps the version documents public', async () => {
    assert.equal((await api.call('GET', '/v2.1/flavors', undefined, { token: null })).status, 401)
    assert.equal((await api.call('GET', '/v2.1', undefined, { token: null })).status, 200)
  })

  it('accepts the project id in the URL (links keep it) and refuses one that is not the caller’s', async () => {
    await api.call('POST', '/v2.1/flavors', flavorBody('url-flavor', { id: 'url-flavor' }))
    const withProject = await api.call('GET', '/v2.1/admin-project/flavors/url-flavor')
    assert.equal(withProject.status, 200)
    assert.deepEqual(withProject.body.flavor.links, [
      { rel: 'self', href: 'http://compute.test:8774/v2.1/admin-project/flavors/url-flavor' },
      { rel: 'bookmark', href: 'http://compute.test:8774/admin-project/flavors/url-flavor' },
    ])
    const without = await api.call('GET', '/v2.1/flavors/url-flavor')
    assert.equal(without.body.flavor.links[0].href, 'http://compute.test:8774/v2.1/flavors/url-flavor')
    const wrong = await api.call('GET', '/v2.1/project-b/flavors/url-flavor')
    assert.equal(wrong.status, 400)
    assert.match(wrong.body.badRequest.message, /URL's project_id 'project-b' doesn't match/)
  })

  it('serves the legacy /v2 mount without microversion headers', async () => {
    const r = await api.call('GET', '/v2/flavors', undefined, { version: '2.60' })
    assert.equal(r.status, 200)
    assert.equal(r.headers['openstack-api-version'], undefined)
  })

  it('answers 404 for a method outside its microversion range (PUT /flavors/{id} before 2.55)', async () => {
    const r = await api.call(
      'PUT',
      '/v2.1/flavors/url-flavor',
      { flavor: { description: 'd' } },
      { version: '2.54' },
    )
    assert.equal(r.status, 404)
    assert.equal(r.body.itemNotFound.code, 404)
  })
})
