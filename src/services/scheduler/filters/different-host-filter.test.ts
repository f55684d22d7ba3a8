import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { DifferentHostFilter } from './different-host-filter.js'

describe('DifferentHostFilter', () => {
  const ctx = fakeContext()
  const host = fakeHost({ instances: ['i1', 'i2'] })
  it('passes every host without the hint', () => {
    assert.equal(DifferentHostFilter.check(host, fakeSpec(), ctx), undefined)
  })
  it('keeps hosts running none of the instances', () => {
    assert.equal(
      DifferentHostFilter.check(host, fakeSpec({ schedulerHints: { different_host: ['x', 'y'] } }), ctx),
      undefined,
    )
    assert.equal(
      DifferentHostFilter.check(host, fakeSpec({ schedulerHints: { different_host: ['i2'] } }), ctx),
      'runs a different_host instance',
    )
    assert.equal(
      DifferentHostFilter.check(host, fakeSpec({ schedulerHints: { different_host: ['x', 'i1'] } }), ctx),
      'runs a different_host instance',
    )
  })
})
