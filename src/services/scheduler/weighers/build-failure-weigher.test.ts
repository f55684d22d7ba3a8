import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { BuildFailureWeigher } from './build-failure-weigher.js'
import { RAMWeigher } from './ram-weigher.js'
import { weighHosts } from './weigh-hosts.js'

describe('BuildFailureWeigher', () => {
  const ctx = fakeContext()
  it('weighs failed builds with the negated multiplier', () => {
    assert.equal(BuildFailureWeigher.weigh(fakeHost({ failedBuilds: 2 }), fakeSpec(), ctx), 2)
    assert.equal(BuildFailureWeigher.multiplier(fakeHost(), ctx), -1000000)
    const host = fakeHost({ aggregates: [fakeAggregate({ build_failure_weight_multiplier: '10' })] })
    assert.equal(BuildFailureWeigher.multiplier(host, ctx), -10)
  })

  it('outweighs free RAM by default', () => {
    const hosts = [
      fakeHost({ host: 'flaky', freeRamMb: 65536, failedBuilds: 1 }),
      fakeHost({ host: 'steady', freeRamMb: 1024 }),
    ]
    assert.equal(
      weighHosts(hosts, fakeSpec(), [RAMWeigher, BuildFailureWeigher], ctx)[0]!.host.host,
      'steady',
    )
  })
})
