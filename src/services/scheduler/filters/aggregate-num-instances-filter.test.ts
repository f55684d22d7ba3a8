import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AggregateNumInstancesFilter } from './aggregate-num-instances-filter.js'

describe('AggregateNumInstancesFilter', () => {
  const ctx = fakeContext({ maxInstancesPerHost: 4 })
  const check = (numInstances: number, ...metadata: Record<string, string>[]) =>
    AggregateNumInstancesFilter.check(
      fakeHost({ numInstances, aggregates: metadata.map((m) => fakeAggregate(m)) }),
      fakeSpec(),
      ctx,
    )

  it('falls back to max_instances_per_host without aggregate metadata', () => {
    assert.equal(check(3), undefined)
    assert.equal(check(4), 'has 4 instances (max 4)')
  })

  it('uses the smallest aggregate value, above or below the configuration', () => {
    assert.equal(check(9, { max_instances_per_host: '10' }), undefined)
    assert.equal(
      check(2, { max_instances_per_host: '2' }, { max_instances_per_host: '10' }),
      'has 2 instances (max 2)',
    )
  })

  it('falls back to the configuration on a bad value', () => {
    assert.equal(check(4, { max_instances_per_host: 'ten' }), 'has 4 instances (max 4)')
  })
})
