import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { SameHostFilter } from './same-host-filter.js'

describe('SameHostFilter', () => {
  const ctx = fakeContext()
  const host = fakeHost({ instances: ['i1', 'i2'] })
  it('passes every host without the hint', () => {
    assert.equal(SameHostFilter.check(fakeHost(), fakeSpec(), ctx), undefined)
    assert.equal(
      SameHostFilter.check(fakeHost(), fakeSpec({ schedulerHints: { same_host: [] } }), ctx),
      undefined,
    )
  })
  it('keeps hosts running one of the instances', () => {
    assert.equal(
      SameHostFilter.check(host, fakeSpec({ schedulerHints: { same_host: ['i2'] } }), ctx),
      undefined,
    )
    assert.equal(
      SameHostFilter.check(host, fakeSpec({ schedulerHints: { same_host: ['x', 'i1'] } }), ctx),
      undefined,
    )
    assert.equal(
      SameHostFilter.check(host, fakeSpec({ schedulerHints: { same_host: ['x', 'y'] } }), ctx),
      'runs none of the same_host instances',
    )
  })
})
