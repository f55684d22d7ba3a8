import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { RAMWeigher } from './ram-weigher.js'
import { weighHosts } from './weigh-hosts.js'

describe('RAMWeigher', () => {
  const ctx = fakeContext()
  it('weighs free RAM, with ram_weight_multiplier (aggregate overrides included)', () => {
    assert.equal(RAMWeigher.weigh(fakeHost({ freeRamMb: 512 }), fakeSpec(), ctx), 512)
    assert.equal(RAMWeigher.minval, 0)
    assert.equal(RAMWeigher.multiplier(fakeHost(), ctx), 1)
    assert.equal(RAMWeigher.multiplier(fakeHost(), fakeContext({ ramWeightMultiplier: -2 })), -2)
    const host = fakeHost({ aggregates: [fakeAggregate({ ram_weight_multiplier: '3.5' })] })
    assert.equal(RAMWeigher.multiplier(host, ctx), 3.5)
  })

  it('spreads by default and stacks with a negative multiplier', () => {
    const hosts = [fakeHost({ host: 'full', freeRamMb: 1024 }), fakeHost({ host: 'empty', freeRamMb: 8192 })]
    assert.equal(weighHosts(hosts, fakeSpec(), [RAMWeigher], ctx)[0]!.host.host, 'empty')
    const stack = fakeContext({ ramWeightMultiplier: -1 })
    assert.equal(weighHosts(hosts, fakeSpec(), [RAMWeigher], stack)[0]!.host.host, 'full')
  })
})
