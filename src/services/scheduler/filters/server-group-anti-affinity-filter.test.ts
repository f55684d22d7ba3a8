import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { InstanceGroupSpec } from '../host-state.js'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ServerGroupAntiAffinityFilter } from './server-group-anti-affinity-filter.js'

const group = (members: string[], rules: InstanceGroupSpec['rules'] = {}): InstanceGroupSpec => ({
  uuid: 'g1',
  policy: 'anti-affinity',
  rules,
  hosts: [],
  members,
})

describe('ServerGroupAntiAffinityFilter', () => {
  const ctx = fakeContext()
  const check = (instances: string[], g: InstanceGroupSpec, instanceUuid = 'new') =>
    ServerGroupAntiAffinityFilter.check(
      fakeHost({ instances }),
      fakeSpec({ instanceUuid, instanceGroup: g }),
      ctx,
    )

  it('passes without an anti-affinity group', () => {
    assert.equal(
      ServerGroupAntiAffinityFilter.check(fakeHost({ instances: ['m1'] }), fakeSpec(), ctx),
      undefined,
    )
    const affinity = { ...group(['m1']), policy: 'affinity' as const }
    assert.equal(check(['m1'], affinity), undefined)
  })

  it('allows one member per host by default', () => {
    assert.equal(check(['other'], group(['m1', 'new'])), undefined)
    assert.equal(
      check(['m1', 'other'], group(['m1', 'new'])),
      'has 1 member(s) of the anti-affinity server group (max 1)',
    )
  })

  it('honours max_server_per_host', () => {
    const g = group(['m1', 'm2', 'm3', 'new'], { max_server_per_host: 2 })
    assert.equal(check(['m1'], g), undefined)
    assert.equal(check(['m1', 'm2'], g), 'has 2 member(s) of the anti-affinity server group (max 2)')
  })

  it('lets a move re-check the host already running the instance', () => {
    assert.equal(check(['m1', 'new'], group(['m1', 'new'])), undefined)
  })
})
