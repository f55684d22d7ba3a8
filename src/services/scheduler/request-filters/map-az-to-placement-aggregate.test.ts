import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeSpec } from '../testing/fakes.js'
import { aggregateRecord, fakeRequestFilterContext } from '../testing/request-filter-fakes.js'
import { mapAzToPlacementAggregate } from './map-az-to-placement-aggregate.js'

const az1a = aggregateRecord('az1-rack-a', { availability_zone: 'az1' }, ['h1'])
const az1b = aggregateRecord('az1-rack-b', { availability_zone: 'az1' }, ['h2'])
const az2 = aggregateRecord('az2', { availability_zone: 'az2' }, ['h3'])
const ssd = aggregateRecord('ssd', { ssd: 'true' }, ['h1', 'h4'])
const all = [az1a, az1b, az2, ssd]

describe('map_az_to_placement_aggregate', () => {
  it('adds nothing when no zone is requested', async () => {
    const ctx = fakeRequestFilterContext(all)
    assert.deepEqual(await mapAzToPlacementAggregate.apply(fakeSpec(), ctx), [])
    assert.deepEqual(await mapAzToPlacementAggregate.apply(fakeSpec({ availabilityZone: '' }), ctx), [])
    assert.equal(ctx.listed, 0)
  })

  it('requires membership of any aggregate of the zone', async () => {
    const [c] = await mapAzToPlacementAggregate.apply(
      fakeSpec({ availabilityZone: 'az1' }),
      fakeRequestFilterContext(all),
    )
    assert.deepEqual(c!.memberOf, [az1a.uuid, az1b.uuid])
    assert.equal(c!.failure, 'not in availability zone az1')
    assert.match(c!.requires, /^availability zone az1 \(aggregates az1-rack-a .*az1-rack-b /)
    assert.equal(c!.matchesNothing, undefined)
  })

  it('matches nothing for a zone no aggregate has', async () => {
    const [c] = await mapAzToPlacementAggregate.apply(
      fakeSpec({ availabilityZone: 'az9' }),
      fakeRequestFilterContext(all),
    )
    assert.equal(c!.matchesNothing, true)
    assert.equal(c!.memberOf, undefined)
    assert.equal(c!.failure, 'not in availability zone az9')
  })

  it('maps the default zone to hosts in no zone aggregate', async () => {
    const [c] = await mapAzToPlacementAggregate.apply(
      fakeSpec({ availabilityZone: 'nova' }),
      fakeRequestFilterContext(all),
    )
    assert.deepEqual(c!.forbiddenAggregates, [az1a.uuid, az1b.uuid, az2.uuid])
    assert.deepEqual(
      await mapAzToPlacementAggregate.apply(
        fakeSpec({ availabilityZone: 'nova' }),
        fakeRequestFilterContext([ssd]),
      ),
      [],
      'no zone aggregates at all: every host is in the default zone',
    )
  })

  it('uses an aggregate naming the default zone like any other', async () => {
    const nova = aggregateRecord('nova', { availability_zone: 'nova' })
    const [c] = await mapAzToPlacementAggregate.apply(
      fakeSpec({ availabilityZone: 'nova' }),
      fakeRequestFilterContext([...all, nova]),
    )
    assert.deepEqual(c!.memberOf, [nova.uuid])
  })
})
