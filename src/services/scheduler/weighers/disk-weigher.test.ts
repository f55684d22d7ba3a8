import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { DiskWeigher } from './disk-weigher.js'

describe('DiskWeigher', () => {
  const ctx = fakeContext({ diskWeightMultiplier: 0.5 })
  it('weighs free disk in MB with disk_weight_multiplier', () => {
    assert.equal(DiskWeigher.weigh(fakeHost({ freeDiskMb: 2048 }), fakeSpec(), ctx), 2048)
    assert.equal(DiskWeigher.minval, 0)
    assert.equal(DiskWeigher.multiplier(fakeHost(), ctx), 0.5)
    const host = fakeHost({ aggregates: [fakeAggregate({ disk_weight_multiplier: '-1' })] })
    assert.equal(DiskWeigher.multiplier(host, ctx), -1)
  })
})
