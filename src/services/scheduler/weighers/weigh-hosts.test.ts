import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { HostWeigher } from './host-weigher.js'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { CPUWeigher } from './cpu-weigher.js'
import { RAMWeigher } from './ram-weigher.js'
import { normalize, weighHosts } from './weigh-hosts.js'

const ctx = fakeContext()
const byName = (w: ReturnType<typeof weighHosts>) => w.map((x) => [x.host.host, x.weight])

/** A weigher of the hosts' numInstances with a fixed multiplier and optional bounds. */
const counting = (multiplier: number, bounds: { minval?: number; maxval?: number } = {}): HostWeigher => ({
  name: 'Counting',
  ...bounds,
  multiplier: () => multiplier,
  weigh: (host) => host.numInstances,
})

describe('normalize', () => {
  it('maps values between their minimum and maximum to [0, 1]', () => {
    assert.deepEqual(normalize([2, 4, 6]), [0, 0.5, 1])
    assert.deepEqual(normalize([-5, 5]), [0, 1])
  })
  it('gives all zeros when every value is equal, and nothing for nothing', () => {
    assert.deepEqual(normalize([3, 3, 3]), [0, 0, 0])
    assert.deepEqual(normalize([]), [])
  })
  it('uses minval/maxval instead of the list bounds when given', () => {
    assert.deepEqual(normalize([2, 4], 0), [0.5, 1])
    assert.deepEqual(normalize([2, 4], 0, 8), [0.25, 0.5])
    assert.deepEqual(normalize([0, 0], 0), [0, 0])
  })
})

describe('weighHosts', () => {
  it('normalises each weigher across the candidates, multiplies and sums, best first', () => {
    const hosts = [
      fakeHost({ host: 'a', freeRamMb: 1000, vcpusTotal: 8, vcpusUsed: 0 }),
      fakeHost({ host: 'b', freeRamMb: 4000, vcpusTotal: 8, vcpusUsed: 6 }),
      fakeHost({ host: 'c', freeRamMb: 2000, vcpusTotal: 8, vcpusUsed: 4 }),
    ]
    // RAM (minval 0): 0.25, 1, 0.5; CPU (minval 0, free 8/2/4): 1, 0.25, 0.5.
    const cpu2 = fakeContext({ cpuWeightMultiplier: 2 })
    const weighed = weighHosts(hosts, fakeSpec(), [RAMWeigher, CPUWeigher], cpu2)
    assert.deepEqual(byName(weighed), [
      ['a', 2.25],
      ['b', 1.5],
      ['c', 1.5],
    ])
    assert.deepEqual(weighed[0]!.scores, { RAMWeigher: 0.25, CPUWeigher: 2 })
  })

  it('uses the list minimum without minval, so the lowest host scores 0', () => {
    const hosts = [fakeHost({ host: 'a', numInstances: 10 }), fakeHost({ host: 'b', numInstances: 20 })]
    assert.deepEqual(byName(weighHosts(hosts, fakeSpec(), [counting(1)], ctx)), [
      ['b', 1],
      ['a', 0],
    ])
    assert.deepEqual(byName(weighHosts(hosts, fakeSpec(), [counting(1, { minval: 0 })], ctx)), [
      ['b', 1],
      ['a', 0.5],
    ])
  })

  it('clamps raw values to minval/maxval', () => {
    const hosts = [
      fakeHost({ host: 'a', numInstances: 2 }),
      fakeHost({ host: 'b', numInstances: 50 }),
      fakeHost({ host: 'c', numInstances: 100 }),
    ]
    assert.deepEqual(byName(weighHosts(hosts, fakeSpec(), [counting(1, { minval: 0, maxval: 10 })], ctx)), [
      ['b', 1],
      ['c', 1],
      ['a', 0.2],
    ])
  })

  it('gives equal hosts weight 0 and keeps their order', () => {
    const hosts = [fakeHost({ host: 'x' }), fakeHost({ host: 'y' }), fakeHost({ host: 'z' })]
    assert.deepEqual(byName(weighHosts(hosts, fakeSpec(), [counting(5)], ctx)), [
      ['x', 0],
      ['y', 0],
      ['z', 0],
    ])
  })

  it('does not weigh a single host', () => {
    const one = weighHosts([fakeHost({ numInstances: 3 })], fakeSpec(), [counting(7, { minval: 0 })], ctx)
    assert.deepEqual(
      one.map((w) => [w.weight, w.scores]),
      [[0, {}]],
    )
    assert.deepEqual(weighHosts([], fakeSpec(), [RAMWeigher], ctx), [])
  })

  it("applies each host's own multiplier from its aggregates", () => {
    const hosts = [
      fakeHost({ host: 'big', freeRamMb: 8000 }),
      fakeHost({
        host: 'stacked',
        freeRamMb: 4000,
        aggregates: [
          fakeAggregate({ ram_weight_multiplier: '3' }),
          fakeAggregate({ ram_weight_multiplier: '5' }),
        ],
      }),
      fakeHost({ host: 'bad', freeRamMb: 6000, aggregates: [fakeAggregate({ ram_weight_multiplier: 'x' })] }),
    ]
    // Normalised (minval 0, max 8000): 1, 0.5, 0.75; multipliers 1, min(3, 5) = 3, config 1 (bad value).
    assert.deepEqual(byName(weighHosts(hosts, fakeSpec(), [RAMWeigher], ctx)), [
      ['stacked', 1.5],
      ['big', 1],
      ['bad', 0.75],
    ])
  })
})
