import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { computeApiHarness, flavorBody, type ComputeApiHarness } from './support.js'

describe('compute API flavors', () => {
  let api: ComputeApiHarness
  before(async () => {
    api = await computeApiHarness({ maxLimit: 3 })
  })
  after(() => api.close())

  it('creates a flavor with a generated uuid id and shows Nova’s field set at 2.1', async () => {
    const created = await api.call('POST', '/v2.1/flavors', flavorBody('small'))
    assert.equal(created.status, 200)
    const f = created.body.flavor
    assert.match(f.id, /^[0-9a-f-]{36}$/)
    assert.deepEqual(Object.keys(f).sort(), [
      'OS-FLV-DISABLED:disabled',
      'OS-FLV-EXT-DATA:ephemeral',
      'disk',
      'id',
      'links',
      'name',
      'os-flavor-access:is_public',
      'ram',
      'rxtx_factor',
      'swap',
      'vcpus',
    ])
    assert.equal(f.swap, '')
    assert.equal(f.ram, 512)
    assert.equal(f['os-flavor-access:is_public'], true)
    assert.equal(f['OS-FLV-DISABLED:disabled'], false)
    assert.equal(f.rxtx_factor, 1)
    const shown = await api.call('GET', `/v2.1/flavors/${f.id}`)
    assert.deepEqual(shown.body.flavor, f)
  })

  it('adds description at 2.55, extra_specs at 2.61 and numeric swap at 2.75', async () => {
    const body = flavorBody('described', { id: 'described', description: 'a flavor', swap: 0, ram: '1024' })
    const before55 = await api.call('POST', '/v2.1/flavors', body, { version: '2.54' })
    assert.equal(before55.status, 400, 'description is unknown before 2.55')
    const at55 = await api.call('POST', '/v2.1/flavors', body, { version: '2.55' })
    assert.equal(at55.status, 200)
    assert.equal(at55.body.flavor.description, 'a flavor')
    assert.equal(at55.body.flavor.ram, 1024)
    assert.equal(at55.body.flavor.extra_specs, undefined)
    const at61 = await api.call('GET', '/v2.1/flavors/described', undefined, { version: '2.61' })
    assert.deepEqual(at61.body.flavor.extra_specs, {})
    assert.equal(at61.body.flavor.swap, '')
    const at75 = await api.call('GET', '/v2.1/flavors/described', undefined, { version: '2.75' })
    assert.equal(at75.body.flavor.swap, 0)
    const brief = await api.call('GET', '/v2.1/flavors', undefined, { version: '2.55' })
    assert.deepEqual(Object.keys(brief.body.flavors[0]).sort(), ['description', 'id', 'links', 'name'])
    const brief21 = await api.call('GET', '/v2.1/flavors')
    assert.deepEqual(Object.keys(brief21.body.flavors[0]).sort(), ['id', 'links', 'name'])
  })

  it('updates the description from 2.55 only, and refuses other fields', async () => {
    const r = await api.call(
      'PUT',
      '/v2.1/flavors/described',
      { flavor: { description: 'new' } },
      { version: '2.55' },
    )
    assert.equal(r.status, 200)
    assert.equal(r.body.flavor.description, 'new')
    const bad = await api.call(
      'PUT',
      '/v2.1/flavors/described',
      { flavor: { name: 'x' } },
      { version: '2.55' },
    )
    assert.equal(bad.status, 400)
    const missing = await api.call(
      'PUT',
      '/v2.1/flavors/none',
      { flavor: { description: null } },
      { version: '2.55' },
    )
    assert.equal(missing.status, 404)
  })

  it('refuses duplicates with 409 and invalid values with 400', async () => {
    const dupName = await api.call('POST', '/v2.1/flavors', flavorBody('small'))
    assert.deepEqual(dupName.body, {
      conflictingRequest: { code: 409, message: 'Flavor with name small already exists.' },
    })
    const dupId = await api.call('POST', '/v2.1/flavors', flavorBody('other', { id: 'described' }))
    assert.equal(dupId.body.conflictingRequest.message, 'Flavor with ID described already exists.')
    for (const extra of [
      { ram: 0 },
      { vcpus: -1 },
      { disk: -1 },
      { rxtx_factor: 0 },
      { id: ' lead' },
      { name: ' x' },
    ]) {
      const r = await api.call('POST', '/v2.1/flavors', { flavor: { ...flavorBody('bad').flavor, ...extra } })
      assert.equal(r.status, 400, JSON.stringify(extra))
    }
    const required = await api.call('POST', '/v2.1/flavors', { flavor: { name: 'x' } })
    assert.match(required.body.badRequest.message, /'ram' is a required property/)
  })

  it('lists with minRam/minDisk filters, sort keys and paging capped by max_limit with a next link', async () => {
    for (const [name, ram, disk] of [
      ['p1', 256, 5],
      ['p2', 2048, 10],
      ['p3', 4096, 20],
    ] as const)
      await api.call('POST', '/v2.1/flavors', flavorBody(name, { id: name, ram, disk }))
    const big = await api.call('GET', '/v2.1/flavors/detail?minRam=2048&sort_key=memory_mb&sort_dir=desc')
    assert.deepEqual(
      big.body.flavors.map((f: { name: string }) => f.name),
      ['p3', 'p2'],
    )
    const disk = await api.call('GET', '/v2.1/flavors?minDisk=10&sort_key=name')
    assert.deepEqual(
      disk.body.flavors.map((f: { name: string }) => f.name),
      ['p2', 'p3'],
    )
    assert.equal((await api.call('GET', '/v2.1/flavors?minRam=lots')).status, 400)
    const page1 = await api.call('GET', '/v2.1/flavors?sort_key=name&limit=10')
    assert.equal(page1.body.flavors.length, 3, 'limit is capped by [api] max_limit')
    const next = new URL(page1.body.flavors_links[0].href)
    assert.equal(next.pathname, '/v2.1/flavors')
    assert.equal(next.searchParams.get('marker'), page1.body.flavors[2].id)
    const page2 = await api.call('GET', `/v2.1/flavors${next.search}`)
    const names = [...page1.body.flavors, ...page2.body.flavors].map((f: { name: string }) => f.name)
    assert.deepEqual(names, ['described', 'p1', 'p2', 'p3', 'small'])
    assert.equal(page2.body.flavors_links, undefined)
    assert.equal((await api.call('GET', '/v2.1/flavors?marker=nope')).status, 400)
  })

  it('shows non-admins public flavors and private ones shared with their project; admins filter is_public', async () => {
    await api.call(
      'POST',
      '/v2.1/flavors',
      flavorBody('private', { id: 'private', 'os-flavor-access:is_public': false }),
    )
    const memberA = await api.call('GET', '/v2.1/flavors?limit=1000', undefined, { token: 'MEMBER_A' })
    assert.ok(!memberA.body.flavors.some((f: { id: string }) => f.id === 'private'))
    assert.equal(
      (await api.call('GET', '/v2.1/flavors/private', undefined, { token: 'MEMBER_A' })).status,
      404,
    )

    const add = await api.call('POST', '/v2.1/flavors/private/action', {
      addTenantAccess: { tenant: 'project-a' },
    })
    assert.deepEqual(add.body, { flavor_access: [{ flavor_id: 'private', tenant_id: 'project-a' }] })
    const again = await api.call('POST', '/v2.1/flavors/private/action', {
      addTenantAccess: { tenant: 'project-a' },
    })
    assert.equal(again.status, 409)
    const seenByA = await api.call('GET', '/v2.1/flavors/private', undefined, { token: 'MEMBER_A' })
    assert.equal(seenByA.status, 200)
    assert.equal(
      (await api.call('GET', '/v2.1/flavors/private', undefined, { token: 'MEMBER_B' })).status,
      404,
    )
    const listA = await api.call('GET', '/v2.1/flavors?sort_key=name', undefined, {
      token: 'MEMBER_A',
      headers: {},
    })
    assert.ok(listA.body.flavors.length > 0)

    const privateOnly = await api.call('GET', '/v2.1/flavors?is_public=false')
    assert.deepEqual(
      privateOnly.body.flavors.map((f: { id: string }) => f.id),
      ['private'],
    )
    assert.equal((await api.call('GET', '/v2.1/flavors?is_public=maybe')).status, 400)
    const access = await api.call('GET', '/v2.1/flavors/private/os-flavor-access')
    assert.deepEqual(access.body.flavor_access, [{ flavor_id: 'private', tenant_id: 'project-a' }])
    const publicAccess = await api.call('GET', '/v2.1/flavors/p1/os-flavor-access')
    assert.equal(publicAccess.body.itemNotFound.message, 'Access list not available for public flavors.')
    const toPublic = await api.call(
      'POST',
      '/v2.1/flavors/p1/action',
      { addTenantAccess: { tenant: 'x' } },
      { version: '2.7' },
    )
    assert.equal(toPublic.status, 409)
    const remove = await api.call('POST', '/v2.1/flavors/private/action', {
      removeTenantAccess: { tenant: 'project-a' },
    })
    assert.deepEqual(remove.body, { flavor_access: [] })
    const removeAgain = await api.call('POST', '/v2.1/flavors/private/action', {
      removeTenantAccess: { tenant: 'project-a' },
    })
    assert.equal(removeAgain.status, 404)
    const noSuch = await api.call('POST', '/v2.1/flavors/private/action', { fly: {} })
    assert.equal(noSuch.body.badRequest.message, 'There is no such action: fly')
    const byMember = await api.call(
      'POST',
      '/v2.1/flavors/private/action',
      { addTenantAccess: { tenant: 'b' } },
      {
        token: 'MEMBER_A',
      },
    )
    assert.equal(byMember.status, 403)
  })

  it('manages extra specs, validates known namespaces from 2.86 and shows them in views from 2.61', async () => {
    const set = await api.call('POST', '/v2.1/flavors/p1/os-extra_specs', {
      extra_specs: { 'hw:cpu_policy': 'dedicated', 'custom-key': 'x', 'resources:VGPU': 1 },
    })
    assert.equal(set.status, 200)
    assert.deepEqual(set.body.extra_specs['resources:VGPU'], 1)
    const list = await api.call('GET', '/v2.1/flavors/p1/os-extra_specs', undefined, { token: 'MEMBER_A' })
    assert.deepEqual(list.body.extra_specs, {
      'hw:cpu_policy': 'dedicated',
      'custom-key': 'x',
      'resources:VGPU': '1',
    })
    const one = await api.call('GET', '/v2.1/flavors/p1/os-extra_specs/hw:cpu_policy')
    assert.deepEqual(one.body, { 'hw:cpu_policy': 'dedicated' })
    const put = await api.call('PUT', '/v2.1/flavors/p1/os-extra_specs/hw:cpu_policy', {
      'hw:cpu_policy': 'shared',
    })
    assert.deepEqual(put.body, { 'hw:cpu_policy': 'shared' })
    const mismatch = await api.call('PUT', '/v2.1/flavors/p1/os-extra_specs/a', { b: '1' })
    assert.equal(mismatch.body.badRequest.message, 'Request body and URI mismatch')

    const v86 = { version: '2.86' }
    const badValue = await api.call(
      'POST',
      '/v2.1/flavors/p1/os-extra_specs',
      { extra_specs: { 'hw:cpu_policy': 'fast' } },
      v86,
    )
    assert.equal(badValue.status, 400)
    assert.equal(
      badValue.body.badRequest.message,
      "Validation failed; 'fast' is not one of: dedicated, shared, mixed.",
    )
    const unknownHw = await api.call(
      'POST',
      '/v2.1/flavors/p1/os-extra_specs',
      { extra_specs: { 'hw:nonsense': '1' } },
      v86,
    )
    assert.match(
      unknownHw.body.badRequest.message,
      /extra spec 'hw:nonsense' does not appear to be a valid extra spec/,
    )
    const badInt = await api.call(
      'POST',
      '/v2.1/flavors/p1/os-extra_specs',
      { extra_specs: { 'hw:numa_nodes': '0' } },
      v86,
    )
    assert.match(badInt.body.badRequest.message, /less than the min value of '1'/)
    const trait = await api.call(
      'POST',
      '/v2.1/flavors/p1/os-extra_specs',
      { extra_specs: { 'trait:CUSTOM_GOLD': 'required', 'resources1:CUSTOM_X': '2', 'foo:bar': 'any' } },
      v86,
    )
    assert.equal(trait.status, 200)
    const badTrait = await api.call(
      'POST',
      '/v2.1/flavors/p1/os-extra_specs',
      { extra_specs: { 'trait:CUSTOM_GOLD': 'yes' } },
      v86,
    )
    assert.equal(badTrait.status, 400)
    const before86 = await api.call('POST', '/v2.1/flavors/p1/os-extra_specs', {
      extra_specs: { 'hw:nonsense': '1' },
    })
    assert.equal(before86.status, 200, 'no validation before 2.86')

    const view = await api.call('GET', '/v2.1/flavors/detail?minRam=256&minDisk=5&sort_key=name', undefined, {
      version: '2.61',
    })
    const p1 = view.body.flavors.find((f: { id: string }) => f.id === 'p1')
    assert.equal(p1.extra_specs['hw:cpu_policy'], 'shared')
    const del = await api.call('DELETE', '/v2.1/flavors/p1/os-extra_specs/hw:cpu_policy')
    assert.equal(del.status, 200)
    const gone = await api.call('DELETE', '/v2.1/flavors/p1/os-extra_specs/hw:cpu_policy')
    assert.equal(gone.body.itemNotFound.message, 'Flavor p1 has no extra specs with key hw:cpu_policy.')
    const memberWrite = await api.call(
      'POST',
      '/v2.1/flavors/p1/os-extra_specs',
      { extra_specs: { a: 'b' } },
      { token: 'MEMBER_A' },
    )
    assert.equal(memberWrite.status, 403)
  })

  it('deletes a flavor with 202 (admin only), then 404', async () => {
    assert.equal((await api.call('DELETE', '/v2.1/flavors/p1', undefined, { token: 'MEMBER_A' })).status, 403)
    const r = await api.call('DELETE', '/v2.1/flavors/p1')
    assert.equal(r.status, 202)
    assert.equal((await api.call('GET', '/v2.1/flavors/p1')).status, 404)
    assert.equal((await api.call('DELETE', '/v2.1/flavors/p1')).status, 404)
  })
})
