import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AllHostsFilter } from './all-hosts-filter.js'

describe('AllHostsFilter', () => {
  it('passes every host, even a disabled one', () => {
    const ctx = fakeContext()
    assert.equal(AllHostsFilter.check(fakeHost(), fakeSpec(), ctx), undefined)
    assert.equal(AllHostsFilter.check(fakeHost({ serviceDisabled: true }), fakeSpec(), ctx), undefined)
    assert.equal(AllHostsFilter.runOncePerRequest, true)
  })
})
