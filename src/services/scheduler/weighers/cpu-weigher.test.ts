import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { CPUWeigher } from './cpu-weigher.js'

describe('CPUWeigher', () => {
  const ctx = fakeContext({ cpuWeightMultiplier: 2 })
  it('weighs free vCPUs after the allocation ratio', () => {
    assert.equal(CPUWeigher.weigh(fakeHost({ vcpusTotal: 8, vcpusUsed: 3 }), fakeSpec(), ctx), 5)
    assert.equal(
      CPUWeigher.weigh(fakeHost({ vcpusTotal: 8, vcpusUsed: 3, cpuAllocationRatio: 4 }), fakeSpec(), ctx),
      29,
    )
    assert.equal(CPUWeigher.weigh(fakeHost({ vcpusTotal: 8, vcpusUsed: 10 }), fakeSpec(), ctx), -2)
    assert.equal(CPUWeigher.minval, 0)
  })
  it('reads cpu_weight_multiplier, overridden per aggregate', () => {
    assert.equal(CPUWeigher.multiplier(fakeHost(), ctx), 2)
    const host = fakeHost({ aggregates: [fakeAggregate({ cpu_weight_multiplier: '0' })] })
    assert.equal(CPUWeigher.multiplier(host, ctx), 0)
  })
})
