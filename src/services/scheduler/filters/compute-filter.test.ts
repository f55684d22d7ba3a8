import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ComputeFilter } from './compute-filter.js'

describe('ComputeFilter', () => {
  const ctx = fakeContext()
  it('passes an enabled compute service that is up', () => {
    assert.equal(ComputeFilter.check(fakeHost(), fakeSpec(), ctx), undefined)
  })
  it('fails disabled services before down ones', () => {
    assert.equal(
      ComputeFilter.check(fakeHost({ serviceDisabled: true, serviceUp: false }), fakeSpec(), ctx),
      'compute service is disabled',
    )
    assert.equal(
      ComputeFilter.check(fakeHost({ serviceUp: false }), fakeSpec(), ctx),
      'compute service is down',
    )
  })
})
