import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { MetricsSettings } from '../settings.js'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ComputeHostMetricNotFound, MetricsWeigher } from './metrics-weigher.js'

const metrics = (over: Partial<MetricsSettings>): MetricsSettings => ({
  weightSetting: [
    ['cpu.frequency', 1],
    ['cpu.percent', -2],
  ],
  required: true,
  weightMultiplier: 1,
  weightOfUnavailable: -10000,
  ...over,
})

describe('MetricsWeigher', () => {
  const full = fakeHost({ metrics: { 'cpu.frequency': 2400, 'cpu.percent': 50 } })
  const partial = fakeHost({ host: 'h2', nodename: 'n2', metrics: { 'cpu.frequency': 2400 } })

  it('sums metric × ratio over weight_setting', () => {
    assert.equal(MetricsWeigher.weigh(full, fakeSpec(), fakeContext({ metrics: metrics({}) })), 2400 - 100)
    assert.equal(MetricsWeigher.weigh(full, fakeSpec(), fakeContext()), 0)
  })

  it('throws ComputeHostMetricNotFound for a missing metric when required', () => {
    assert.throws(
      () => MetricsWeigher.weigh(partial, fakeSpec(), fakeContext({ metrics: metrics({}) })),
      (e: unknown) => e instanceof ComputeHostMetricNotFound && e.metric === 'cpu.percent' && e.node === 'n2',
    )
  })

  it('gives weight_of_unavailable for a missing metric when not required', () => {
    const ctx = fakeContext({ metrics: metrics({ required: false }) })
    assert.equal(MetricsWeigher.weigh(partial, fakeSpec(), ctx), -10000)
  })

  it('skips a missing metric whose ratio or multiplier is 0', () => {
    const zeroRatio = fakeContext({
      metrics: metrics({
        required: false,
        weightSetting: [
          ['cpu.frequency', 1],
          ['cpu.percent', 0],
        ],
      }),
    })
    assert.equal(MetricsWeigher.weigh(partial, fakeSpec(), zeroRatio), 2400)
    const zeroMultiplier = fakeContext({ metrics: metrics({ required: false, weightMultiplier: 0 }) })
    assert.equal(MetricsWeigher.weigh(partial, fakeSpec(), zeroMultiplier), 2400)
  })

  it('takes its multiplier from [metrics]weight_multiplier or metrics_weight_multiplier aggregate metadata', () => {
    const ctx = fakeContext({ metrics: metrics({ weightMultiplier: 2 }) })
    assert.equal(MetricsWeigher.multiplier(full, ctx), 2)
    const agg = fakeHost({ aggregates: [fakeAggregate({ metrics_weight_multiplier: '-1' })] })
    assert.equal(MetricsWeigher.multiplier(agg, ctx), -1)
    assert.equal(MetricsWeigher.optionName, 'metrics_weight_multiplier')
  })
})
