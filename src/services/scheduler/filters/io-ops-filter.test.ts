import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { IoOpsFilter } from './io-ops-filter.js'

describe('IoOpsFilter', () => {
  it('passes hosts under max_io_ops_per_host (8) and fails at it', () => {
    const ctx = fakeContext()
    assert.equal(IoOpsFilter.check(fakeHost({ numIoOps: 7 }), fakeSpec(), ctx), undefined)
    assert.equal(
      IoOpsFilter.check(fakeHost({ numIoOps: 8 }), fakeSpec(), ctx),
      'has 8 I/O operations in progress (max 8)',
    )
  })
  it('reads the configured limit', () => {
    const ctx = fakeContext({ maxIoOpsPerHost: 2 })
    assert.equal(
      IoOpsFilter.check(fakeHost({ numIoOps: 2 }), fakeSpec(), ctx),
      'has 2 I/O operations in progress (max 2)',
    )
    assert.equal(IoOpsFilter.check(fakeHost({ numIoOps: 1 }), fakeSpec(), ctx), undefined)
  })
})
