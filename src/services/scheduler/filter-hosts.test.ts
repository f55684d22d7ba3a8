import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { EliminationLog } from './elimination-log.js'
import { filterHosts } from './filter-hosts.js'
import type { HostFilter } from './filters/index.js'
import { fakeContext, fakeHost, fakeSpec } from './testing/fakes.js'

const hosts = ['a', 'b', 'c', 'd'].map((host) => fakeHost({ host, nodename: `${host}.node` }))
const names = (list: readonly { host: string }[]) => list.map((h) => h.host)
const not = (name: string, once = false): HostFilter => ({
  name: `Not${name.toUpperCase()}Filter`,
  runOncePerRequest: once,
  check: (h) => (h.host === name ? `is ${name}` : undefined),
})

describe('filterHosts', () => {
  it('runs every filter in order and logs each removal under the filter name', () => {
    const log = new EliminationLog()
    const left = filterHosts(hosts, fakeSpec(), [not('a'), not('c')], fakeContext(), 0, log)
    assert.deepEqual(names(left), ['b', 'd'])
    assert.equal(log.summary(), 'NotAFilter: 1 is a; NotCFilter: 1 is c')
    assert.deepEqual(log.entries()[0]!.hosts, ['a'])
  })

  it('runOncePerRequest filters run for the first instance only', () => {
    const log = new EliminationLog()
    assert.deepEqual(
      names(filterHosts(hosts, fakeSpec(), [not('a', true), not('b')], fakeContext(), 1, log)),
      ['a', 'c', 'd'],
    )
  })

  it('stops once no host is left', () => {
    let calls = 0
    const none: HostFilter = { name: 'NoneFilter', check: () => 'no' }
    const counting: HostFilter = { name: 'CountingFilter', check: () => (calls++, undefined) }
    assert.deepEqual(
      filterHosts(hosts, fakeSpec(), [none, counting], fakeContext(), 0, new EliminationLog()),
      [],
    )
    assert.equal(calls, 0)
  })

  it('ignore_hosts (any case) are dropped before the filters', () => {
    const log = new EliminationLog()
    const left = filterHosts(hosts, fakeSpec({ ignoreHosts: ['A', 'b'] }), [not('c')], fakeContext(), 0, log)
    assert.deepEqual(names(left), ['d'])
    assert.equal(log.summary(), 'ignore_hosts: 2 ignored by the request; NotCFilter: 1 is c')
  })

  it('force_hosts / force_nodes keep only those and skip the filters, unless _nova_check_type', () => {
    const log = new EliminationLog()
    assert.deepEqual(
      names(filterHosts(hosts, fakeSpec({ forceHosts: ['c'] }), [not('c')], fakeContext(), 0, log)),
      ['c'],
    )
    assert.equal(log.summary(), 'force_hosts: 3 not a forced host')
    assert.deepEqual(
      names(
        filterHosts(hosts, fakeSpec({ forceNodes: ['b.node'] }), [], fakeContext(), 0, new EliminationLog()),
      ),
      ['b'],
    )
    const checked = fakeSpec({ forceHosts: ['c'], schedulerHints: { _nova_check_type: ['rebuild'] } })
    assert.deepEqual(filterHosts(hosts, checked, [not('c')], fakeContext(), 0, new EliminationLog()), [])
  })
})
