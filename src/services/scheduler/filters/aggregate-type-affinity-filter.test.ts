import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AggregateTypeAffinityFilter } from './aggregate-type-affinity-filter.js'

describe('AggregateTypeAffinityFilter', () => {
  const ctx = fakeContext()
  const check = (host: ReturnType<typeof fakeHost>, name: string) =>
    AggregateTypeAffinityFilter.check(host, fakeSpec({ flavor: { name } }), ctx)

  it('passes any flavor on hosts without instance_type metadata', () => {
    assert.equal(check(fakeHost(), 'm1.small'), undefined)
  })

  it('keeps listed flavors only', () => {
    const host = fakeHost({ aggregates: [fakeAggregate({ instance_type: 'm1.small , m1.large' })] })
    assert.equal(check(host, 'm1.large'), undefined)
    assert.equal(check(host, 'm1.tiny'), 'flavor m1.tiny is not in the aggregate instance_type')
    // Whole names only, no substrings.
    assert.equal(check(host, 'm1'), 'flavor m1 is not in the aggregate instance_type')
  })
})
