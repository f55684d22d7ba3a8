import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { HypervisorVersionWeigher } from './hypervisor-version-weigher.js'
import { weighHosts } from './weigh-hosts.js'

describe('HypervisorVersionWeigher', () => {
  it('prefers newer hypervisors by default and older ones with a negative multiplier', () => {
    const ctx = fakeContext()
    assert.equal(
      HypervisorVersionWeigher.weigh(fakeHost({ hypervisorVersion: 9000000 }), fakeSpec(), ctx),
      9000000,
    )
    assert.equal(HypervisorVersionWeigher.multiplier(fakeHost(), ctx), 1)
    const hosts = [
      fakeHost({ host: 'old', hypervisorVersion: 6000000 }),
      fakeHost({ host: 'new', hypervisorVersion: 8000000 }),
    ]
    assert.equal(weighHosts(hosts, fakeSpec(), [HypervisorVersionWeigher], ctx)[0]!.host.host, 'new')
    const older = fakeContext({ hypervisorVersionWeightMultiplier: -1 })
    assert.equal(weighHosts(hosts, fakeSpec(), [HypervisorVersionWeigher], older)[0]!.host.host, 'old')
  })
})
