import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { InstanceGroupSpec } from '../host-state.js'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ServerGroupAffinityFilter } from './server-group-affinity-filter.js'

const group = (policy: InstanceGroupSpec['policy'], hosts: string[]): InstanceGroupSpec => ({
  uuid: 'g1',
  policy,
  rules: {},
  hosts,
  members: [],
})

describe('ServerGroupAffinityFilter', () => {
  const ctx = fakeContext()
  it('passes every host without a group, for other policies, and for a group without hosts yet', () => {
    assert.equal(ServerGroupAffinityFilter.check(fakeHost(), fakeSpec(), ctx), undefined)
    const anti = fakeSpec({ instanceGroup: group('anti-affinity', ['other']) })
    assert.equal(ServerGroupAffinityFilter.check(fakeHost(), anti, ctx), undefined)
    const soft = fakeSpec({ instanceGroup: group('soft-affinity', ['other']) })
    assert.equal(ServerGroupAffinityFilter.check(fakeHost(), soft, ctx), undefined)
    const empty = fakeSpec({ instanceGroup: group('affinity', []) })
    assert.equal(ServerGroupAffinityFilter.check(fakeHost(), empty, ctx), undefined)
  })

  it("keeps only the group's hosts once it has some", () => {
    const spec = fakeSpec({ instanceGroup: group('affinity', ['host1']) })
    assert.equal(ServerGroupAffinityFilter.check(fakeHost({ host: 'host1' }), spec, ctx), undefined)
    assert.equal(
      ServerGroupAffinityFilter.check(fakeHost({ host: 'host2' }), spec, ctx),
      'is not the host of the affinity server group',
    )
    assert.equal(ServerGroupAffinityFilter.runOncePerRequest, undefined)
  })
})
