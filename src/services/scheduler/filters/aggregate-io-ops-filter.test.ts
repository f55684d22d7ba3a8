import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AggregateIoOpsFilter } from './aggregate-io-ops-filter.js'

describe('AggregateIoOpsFilter', () => {
  const ctx = fakeContext({ maxIoOpsPerHost: 5 })
  const check = (numIoOps: number, ...metadata: Record<string, string>[]) =>
    AggregateIoOpsFilter.check(
      fakeHost({ numIoOps, aggregates: metadata.map((m) => fakeAggregate(m)) }),
      fakeSpec(),
      ctx,
    )

  it('falls back to max_io_ops_per_host without aggregate metadata', () => {
    assert.equal(check(4), undefined)
    assert.equal(check(5), 'has 5 I/O operations in progress (max 5)')
  })

  it('uses the smallest aggregate value', () => {
    assert.equal(check(2, { max_io_ops_per_host: '3' }, { max_io_ops_per_host: '10' }), undefined)
    assert.equal(
      check(3, { max_io_ops_per_host: '3' }, { max_io_ops_per_host: '10' }),
      'has 3 I/O operations in progress (max 3)',
    )
    assert.equal(check(7, { max_io_ops_per_host: '10' }), undefined)
  })

  it('falls back to the configuration when a value is not an integer', () => {
    assert.equal(
      check(5, { max_io_ops_per_host: 'many' }, { max_io_ops_per_host: '10' }),
      'has 5 I/O operations in progress (max 5)',
    )
    assert.equal(check(5, { max_io_ops_per_host: '2.5' }), 'has 5 I/O operations in progress (max 5)')
  })
})
