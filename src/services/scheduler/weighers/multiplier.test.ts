import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeHost } from '../testing/fakes.js'
import { weightMultiplier } from './multiplier.js'

describe('weightMultiplier', () => {
  it('uses the configured value without aggregate metadata', () => {
    assert.equal(weightMultiplier(fakeHost(), 'ram_weight_multiplier', 1.5), 1.5)
  })
  it('takes the smallest aggregate value', () => {
    const host = fakeHost({
      aggregates: [
        fakeAggregate({ ram_weight_multiplier: '2' }),
        fakeAggregate({ ram_weight_multiplier: '-0.5' }),
      ],
    })
    assert.equal(weightMultiplier(host, 'ram_weight_multiplier', 1), -0.5)
  })
  it('falls back to the configured value when an aggregate value is not a number', () => {
    const host = fakeHost({
      aggregates: [
        fakeAggregate({ ram_weight_multiplier: '2' }),
        fakeAggregate({ ram_weight_multiplier: 'big' }),
      ],
    })
    assert.equal(weightMultiplier(host, 'ram_weight_multiplier', 1), 1)
  })
})
