import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { PlacementClient } from '../../src/services/placement/client.js'
import { placementHarness, type PlacementHarness } from '../placement/support.js'
import { adminHarness, type AdminHarness } from './admin-support.js'

describe('compute API os-aggregates', () => {
  let api: AdminHarness
  let placement: PlacementHarness
  let node1: string
  before(async () => {
    placement = await placementHarness()
    const client = new PlacementClient(placement.transport)
    api = await adminHarness({ placement: client })
    node1 = (await api.addCompute('c1')).nodeUuid
    await client.ensureProvider(node1, 'c1')
    await api.addCompute('c2')
  })
  after(async () => {
    await api.close()
    await placement.close()
  })

  const providerAggregates = async (uuid: string): Promise<string[]> =>
    (await placement.call('GET', `/resource_providers/${uuid}/aggregates`)).body.aggregates

  it('creates (uuid from 2.41), lists, shows, renames; duplicate names 409', async () => {
    const r = await api.call('POST', '/v2.1/os-aggregates', {
      aggregate: { name: 'agg1', availability_zone: 'az1' },
    })
    assert.equal(r.status, 200)
    assert.equal(r.body.aggregate.name, 'agg1')
    assert.equal(r.body.aggregate.availability_zone, 'az1')
    assert.equal(r.body.aggregate.uuid, undefined)
    const id = r.body.aggregate.id
    const shown = await api.call('GET', `/v2.1/os-aggregates/${id}`, undefined, { version: '2.41' })
    assert.deepEqual(shown.body.aggregate.metadata, { availability_zone: 'az1' })
    assert.deepEqual(shown.body.aggregate.hosts, [])
    assert.match(shown.body.aggregate.uuid, /^[0-9a-f-]{36}$/)
    assert.match(shown.body.aggregate.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    assert.equal((await api.call('POST', '/v2.1/os-aggregates', { aggregate: { name: 'agg1' } })).status, 409)
    const renamed = await api.call('PUT', `/v2.1/os-aggregates/${id}`, { aggregate: { name: 'agg-one' } })
    assert.equal(renamed.body.aggregate.name, 'agg-one')
    const list = await api.call('GET', '/v2.1/os-aggregates')
    assert.deepEqual(
      list.body.aggregates.map((a: { name: string }) => a.name),
      ['agg-one'],
    )
    assert.equal((await api.call('GET', '/v2.1/os-aggregates/999')).status, 404)
    assert.equal(
      (await api.call('POST', '/v2.1/os-aggregates', { aggregate: { name: 'x', foo: 1 } })).status,
      400,
    )
  })

  it('adds and removes hosts, mirrored into placement; unknown hosts 404, duplicates 409; zones follow', async () => {
    const agg = (await api.call('GET', '/v2.1/os-aggregates', undefined, { version: '2.41' })).body
      .aggregates[0]
    const added = await api.call('POST', `/v2.1/os-aggregates/${agg.id}/action`, { add_host: { host: 'c1' } })
    assert.equal(added.status, 200)
    assert.deepEqual(added.body.aggregate.hosts, ['c1'])
    assert.deepEqual(await providerAggregates(node1), [agg.uuid])
    assert.equal(
      (await api.call('POST', `/v2.1/os-aggregates/${agg.id}/action`, { add_host: { host: 'c1' } })).status,
      409,
    )
    assert.equal(
      (await api.call('POST', `/v2.1/os-aggregates/${agg.id}/action`, { add_host: { host: 'nope' } })).status,
      404,
    )
    const services = await api.call('GET', '/v2.1/os-services?binary=nova-compute')
    assert.deepEqual(
      services.body.services.map((s: { host: string; zone: string }) => [s.host, s.zone]),
      [
        ['c1', 'az1'],
        ['c2', 'nova'],
      ],
    )
    const zones = await api.call('GET', '/v2.1/os-availability-zone')
    assert.deepEqual(
      zones.body.availabilityZoneInfo.map((z: { zoneName: string }) => z.zoneName),
      ['az1', 'nova'],
    )
    const notEmpty = await api.call('DELETE', `/v2.1/os-aggregates/${agg.id}`)
    assert.equal(notEmpty.status, 400)
    const removed = await api.call('POST', `/v2.1/os-aggregates/${agg.id}/action`, {
      remove_host: { host: 'c1' },
    })
    assert.deepEqual(removed.body.aggregate.hosts, [])
    assert.deepEqual(await providerAggregates(node1), [])
    assert.equal(
      (await api.call('POST', `/v2.1/os-aggregates/${agg.id}/action`, { remove_host: { host: 'c1' } }))
        .status,
      404,
    )
  })

  it('a host cannot be in two availability zones (400); metadata sets and unsets keys and the zone', async () => {
    const a = (
      await api.call('POST', '/v2.1/os-aggregates', { aggregate: { name: 'a', availability_zone: 'azA' } })
    ).body.aggregate
    const b = (
      await api.call('POST', '/v2.1/os-aggregates', { aggregate: { name: 'b', availability_zone: 'azB' } })
    ).body.aggregate
    await api.call('POST', `/v2.1/os-aggregates/${a.id}/action`, { add_host: { host: 'c2' } })
    const clash = await api.call('POST', `/v2.1/os-aggregates/${b.id}/action`, { add_host: { host: 'c2' } })
    assert.equal(clash.status, 400)
    assert.equal(
      clash.body.badRequest.message,
      `Cannot add host to aggregate ${b.id}. Reason: One or more hosts already in availability zone(s) ['azA'].`,
    )
    const plain = (await api.call('POST', '/v2.1/os-aggregates', { aggregate: { name: 'plain' } })).body
      .aggregate
    assert.equal(
      (await api.call('POST', `/v2.1/os-aggregates/${plain.id}/action`, { add_host: { host: 'c2' } })).status,
      200,
    )
    const rezone = await api.call('POST', `/v2.1/os-aggregates/${plain.id}/action`, {
      set_metadata: { metadata: { availability_zone: 'azC' } },
    })
    assert.equal(rezone.status, 400)
    const meta = await api.call('POST', `/v2.1/os-aggregates/${plain.id}/action`, {
      set_metadata: { metadata: { ssd: 'true', gpu: 'no' } },
    })
    assert.deepEqual(meta.body.aggregate.metadata, { ssd: 'true', gpu: 'no' })
    const unset = await api.call('POST', `/v2.1/os-aggregates/${plain.id}/action`, {
      set_metadata: { metadata: { gpu: null } },
    })
    assert.deepEqual(unset.body.aggregate.metadata, { ssd: 'true' })
    const same = await api.call('PUT', `/v2.1/os-aggregates/${plain.id}`, {
      aggregate: { availability_zone: 'azA' },
    })
    assert.equal(same.status, 200)
    assert.equal(same.body.aggregate.availability_zone, 'azA')
    const internal = await api.call('PUT', `/v2.1/os-aggregates/${b.id}`, {
      aggregate: { availability_zone: 'internal' },
    })
    assert.equal(internal.status, 400)
    const bad = await api.call('POST', `/v2.1/os-aggregates/${plain.id}/action`, { frob: {} })
    assert.equal(bad.status, 400)
    const deleted = await api.call('DELETE', `/v2.1/os-aggregates/${b.id}`)
    assert.equal(deleted.status, 200)
    assert.equal(deleted.headers['content-length'], '0', 'Nova answers an aggregate delete with no body')
  })

  it('non-admins are refused', async () => {
    const r = await api.call('GET', '/v2.1/os-aggregates', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 403)
    const c = await api.call(
      'POST',
      '/v2.1/os-aggregates',
      { aggregate: { name: 'm' } },
      { token: 'MEMBER_A' },
    )
    assert.equal(c.status, 403)
  })
})

describe('compute API aggregates without placement', () => {
  it('membership changes go on when placement cannot be reached', async () => {
    const unreachable = new PlacementClient(async () => {
      throw new Error('connection refused')
    })
    const api = await adminHarness({ placement: unreachable })
    try {
      await api.addCompute('c1')
      const agg = (await api.call('POST', '/v2.1/os-aggregates', { aggregate: { name: 'x' } })).body.aggregate
      const r = await api.call('POST', `/v2.1/os-aggregates/${agg.id}/action`, { add_host: { host: 'c1' } })
      assert.equal(r.status, 200)
      assert.deepEqual(r.body.aggregate.hosts, ['c1'])
    } finally {
      await api.close()
    }
  })
})
