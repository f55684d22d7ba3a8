import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { NumInstancesWeigher } from './num-instances-weigher.js'

describe('NumInstancesWeigher', () => {
  it('weighs the instance count, off by default', () => {
    const ctx = fakeContext()
    assert.equal(NumInstancesWeigher.weigh(fakeHost({ numInstances: 7 }), fakeSpec(), ctx), 7)
    assert.equal(NumInstancesWeigher.multiplier(fakeHost(), ctx), 0)
    const host = fakeHost({ aggregates: [fakeAggregate({ num_instances_weight_multiplier: '-1.0' })] })
    assert.equal(NumInstancesWeigher.multiplier(host, ctx), -1)
    assert.equal(NumInstancesWeigher.minval, undefined)
  })
})
