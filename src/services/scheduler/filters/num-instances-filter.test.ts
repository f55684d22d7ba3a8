import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { NumInstancesFilter } from './num-instances-filter.js'

describe('NumInstancesFilter', () => {
  it('passes hosts under max_instances_per_host (50) and fails at it', () => {
    const ctx = fakeContext()
    assert.equal(NumInstancesFilter.check(fakeHost({ numInstances: 49 }), fakeSpec(), ctx), undefined)
    assert.equal(
      NumInstancesFilter.check(fakeHost({ numInstances: 50 }), fakeSpec(), ctx),
      'has 50 instances (max 50)',
    )
  })
  it('reads the configured limit', () => {
    const ctx = fakeContext({ maxInstancesPerHost: 2 })
    assert.equal(
      NumInstancesFilter.check(fakeHost({ numInstances: 3 }), fakeSpec(), ctx),
      'has 3 instances (max 2)',
    )
    assert.equal(NumInstancesFilter.check(fakeHost({ numInstances: 1 }), fakeSpec(), ctx), undefined)
  })
})
