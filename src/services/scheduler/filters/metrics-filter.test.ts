import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSettings, fakeSpec } from '../testing/fakes.js'
import { MetricsFilter } from './metrics-filter.js'

describe('MetricsFilter', () => {
  const metrics = {
    ...fakeSettings().metrics,
    weightSetting: [
      ['cpu.frequency', 1],
      ['cpu.percent', -1],
    ] as const,
  }
  const ctx = fakeContext({ metrics })

  it('passes every host when no metric is weighed', () => {
    assert.equal(MetricsFilter.check(fakeHost(), fakeSpec(), fakeContext()), undefined)
  })

  it('requires every weighed metric', () => {
    const full = fakeHost({ metrics: { 'cpu.frequency': 2400, 'cpu.percent': 10, other: 1 } })
    assert.equal(MetricsFilter.check(full, fakeSpec(), ctx), undefined)
    const partial = fakeHost({ metrics: { 'cpu.frequency': 2400 } })
    assert.equal(MetricsFilter.check(partial, fakeSpec(), ctx), 'does not report metrics cpu.percent')
    assert.equal(
      MetricsFilter.check(fakeHost(), fakeSpec(), ctx),
      'does not report metrics cpu.frequency, cpu.percent',
    )
  })
})
