import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { sortHosts } from './sort-hosts.js'
import { fakeHost, fakeSettings, fakeSpec } from './testing/fakes.js'
import { RAMWeigher } from './weighers/ram-weigher.js'

const hosts = [
  fakeHost({ host: 'a', freeRamMb: 1000 }),
  fakeHost({ host: 'b', freeRamMb: 4000 }),
  fakeHost({ host: 'c', freeRamMb: 4000 }),
  fakeHost({ host: 'd', freeRamMb: 3000 }),
]
const names = (list: readonly { host: string }[]) => list.map((h) => h.host)
const sort = (options: { hostSubsetSize?: number; shuffle?: boolean; random: () => number }) =>
  sortHosts(hosts, fakeSpec(), [RAMWeigher], fakeSettings(), {
    hostSubsetSize: options.hostSubsetSize ?? 1,
    shuffleBestSameWeighedHosts: options.shuffle ?? false,
    random: options.random,
  })

describe('sortHosts', () => {
  it('best weighed first; ties keep their order; host_subset_size 1 takes the best', () => {
    assert.deepEqual(names(sort({ random: () => 0.99 })), ['b', 'c', 'd', 'a'])
  })

  it('picks at random among the best host_subset_size and puts it first', () => {
    assert.deepEqual(names(sort({ hostSubsetSize: 3, random: () => 0.7 })), ['d', 'b', 'c', 'a'])
    assert.deepEqual(names(sort({ hostSubsetSize: 10, random: () => 0.99 })), ['a', 'b', 'c', 'd'])
  })

  it('shuffle_best_same_weighed_hosts shuffles only the hosts sharing the best weight', () => {
    assert.deepEqual(names(sort({ shuffle: true, random: () => 0 })), ['c', 'b', 'd', 'a'])
  })

  it('nothing to sort', () => {
    assert.deepEqual(
      sortHosts([], fakeSpec(), [RAMWeigher], fakeSettings(), {
        hostSubsetSize: 1,
        shuffleBestSameWeighedHosts: false,
        random: Math.random,
      }),
      [],
    )
  })
})
