import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { GroupPolicy } from '../host-state.js'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ServerGroupSoftAffinityWeigher } from './server-group-soft-affinity-weigher.js'

const spec = (policy: GroupPolicy) =>
  fakeSpec({ instanceGroup: { uuid: 'g', policy, rules: {}, hosts: [], members: ['m1', 'm2', 'm3'] } })

describe('ServerGroupSoftAffinityWeigher', () => {
  const ctx = fakeContext()
  const host = fakeHost({ instances: ['m1', 'm2', 'other'] })
  it('counts members of a soft-affinity group on the host', () => {
    assert.equal(ServerGroupSoftAffinityWeigher.weigh(host, spec('soft-affinity'), ctx), 2)
    assert.equal(ServerGroupSoftAffinityWeigher.weigh(fakeHost(), spec('soft-affinity'), ctx), 0)
  })
  it('is 0 for other policies or without a group', () => {
    assert.equal(ServerGroupSoftAffinityWeigher.weigh(host, spec('soft-anti-affinity'), ctx), 0)
    assert.equal(ServerGroupSoftAffinityWeigher.weigh(host, fakeSpec(), ctx), 0)
  })
  it('reads soft_affinity_weight_multiplier', () => {
    assert.equal(
      ServerGroupSoftAffinityWeigher.multiplier(host, fakeContext({ softAffinityWeightMultiplier: 3 })),
      3,
    )
    const agg = fakeHost({ aggregates: [fakeAggregate({ soft_affinity_weight_multiplier: '0.5' })] })
    assert.equal(ServerGroupSoftAffinityWeigher.multiplier(agg, ctx), 0.5)
  })
})
