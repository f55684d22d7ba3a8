import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ServerGroupSoftAntiAffinityWeigher } from './server-group-soft-anti-affinity-weigher.js'
import { weighHosts } from './weigh-hosts.js'

describe('ServerGroupSoftAntiAffinityWeigher', () => {
  const ctx = fakeContext()
  const spec = fakeSpec({
    instanceGroup: { uuid: 'g', policy: 'soft-anti-affinity', rules: {}, hosts: [], members: ['m1', 'm2'] },
  })
  it('weighs minus the members on the host', () => {
    assert.equal(
      ServerGroupSoftAntiAffinityWeigher.weigh(fakeHost({ instances: ['m1', 'm2'] }), spec, ctx),
      -2,
    )
    assert.equal(ServerGroupSoftAntiAffinityWeigher.weigh(fakeHost(), spec, ctx), 0)
    assert.equal(
      ServerGroupSoftAntiAffinityWeigher.weigh(fakeHost({ instances: ['m1'] }), fakeSpec(), ctx),
      0,
    )
    assert.equal(ServerGroupSoftAntiAffinityWeigher.multiplier(fakeHost(), ctx), 1)
  })
  it('prefers hosts without members', () => {
    const hosts = [fakeHost({ host: 'a', instances: ['m1'] }), fakeHost({ host: 'b' })]
    assert.equal(weighHosts(hosts, spec, [ServerGroupSoftAntiAffinityWeigher], ctx)[0]!.host.host, 'b')
  })
})
