import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AvailabilityZoneFilter } from './availability-zone-filter.js'

describe('AvailabilityZoneFilter', () => {
  const ctx = fakeContext()
  const inAz1 = fakeHost({ aggregates: [fakeAggregate({ availability_zone: 'az1' })] })
  const noZone = fakeHost({ aggregates: [fakeAggregate({ ssd: 'true' })] })

  it('passes every host when no zone is requested', () => {
    assert.equal(AvailabilityZoneFilter.check(inAz1, fakeSpec(), ctx), undefined)
  })

  it("matches the zone of the host's aggregates", () => {
    assert.equal(AvailabilityZoneFilter.check(inAz1, fakeSpec({ availabilityZone: 'az1' }), ctx), undefined)
    assert.equal(
      AvailabilityZoneFilter.check(inAz1, fakeSpec({ availabilityZone: 'az2' }), ctx),
      'not in zone az2',
    )
    assert.equal(
      AvailabilityZoneFilter.check(inAz1, fakeSpec({ availabilityZone: 'nova' }), ctx),
      'not in zone nova',
    )
  })

  it('puts hosts without a zone aggregate in default_availability_zone', () => {
    assert.equal(AvailabilityZoneFilter.check(noZone, fakeSpec({ availabilityZone: 'nova' }), ctx), undefined)
    assert.equal(
      AvailabilityZoneFilter.check(noZone, fakeSpec({ availabilityZone: 'az1' }), ctx),
      'not in zone az1',
    )
    const custom = fakeContext({ defaultAvailabilityZone: 'zone0' })
    assert.equal(
      AvailabilityZoneFilter.check(noZone, fakeSpec({ availabilityZone: 'zone0' }), custom),
      undefined,
    )
  })

  it('accepts any zone of a host in several zone aggregates', () => {
    const both = fakeHost({
      aggregates: [fakeAggregate({ availability_zone: 'az1' }), fakeAggregate({ availability_zone: 'az2' })],
    })
    assert.equal(AvailabilityZoneFilter.check(both, fakeSpec({ availabilityZone: 'az2' }), ctx), undefined)
    assert.equal(AvailabilityZoneFilter.runOncePerRequest, true)
  })
})
