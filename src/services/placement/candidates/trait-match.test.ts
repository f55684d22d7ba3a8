import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import {
  inForbiddenAggregate,
  meetsRequiredAggregates,
  providerMatchesAggregates,
} from './aggregate-match.js'
import { canAllocate } from './capacity.js'
import { inventoryOf, traitExpression } from './snapshot-builder.js'
import { providerMatchesTraits, unionMeetsRequiredTraits } from './trait-match.js'

describe('trait expressions', () => {
  const expr = traitExpression({ allOf: ['A'], forbidden: ['X'], anyOf: [['B', 'C']] })

  it('needs every allOf trait, one of each anyOf set and no forbidden trait on one provider', () => {
    assert.equal(providerMatchesTraits(new Set(['A', 'C']), expr), true)
    assert.equal(providerMatchesTraits(new Set(['A']), expr), false)
    assert.equal(providerMatchesTraits(new Set(['B', 'C']), expr), false)
    assert.equal(providerMatchesTraits(new Set(['A', 'B', 'X']), expr), false)
    assert.equal(providerMatchesTraits(new Set(), traitExpression()), true)
  })

  it('lets several providers meet the required part together', () => {
    assert.equal(unionMeetsRequiredTraits([new Set(['A']), new Set(['C'])], expr), true)
    assert.equal(unionMeetsRequiredTraits([new Set(['A']), new Set(['D'])], expr), false)
    // Forbidden traits are the caller's business (checked per provider).
    assert.equal(unionMeetsRequiredTraits([new Set(['A', 'X']), new Set(['B'])], expr), true)
  })
})

describe('aggregate expressions', () => {
  const expr = { anyOf: [['a1', 'a2'], ['a3']], forbidden: ['bad'] }

  it('needs one aggregate of each set and none of the forbidden ones', () => {
    assert.equal(meetsRequiredAggregates(new Set(['a2', 'a3']), expr), true)
    assert.equal(meetsRequiredAggregates(new Set(['a1']), expr), false)
    assert.equal(inForbiddenAggregate(new Set(['a1', 'bad']), expr), true)
    assert.equal(providerMatchesAggregates(new Set(['a1', 'a3', 'bad']), expr), false)
    assert.equal(providerMatchesAggregates(new Set(), { anyOf: [], forbidden: [] }), true)
  })
})

describe('canAllocate', () => {
  it('checks units, step and capacity after reserved, ratio and usage', () => {
    const inv = inventoryOf({
      total: 10,
      reserved: 2,
      allocationRatio: 2,
      used: 10,
      minUnit: 2,
      maxUnit: 6,
      stepSize: 2,
    })
    // capacity (10 − 2) × 2 = 16, 6 free
    assert.equal(canAllocate(inv, 6), true)
    assert.equal(canAllocate(inv, 8), false, 'above max_unit and free capacity')
    assert.equal(canAllocate(inv, 3), false, 'not a multiple of step_size')
    assert.equal(canAllocate({ ...inv, minUnit: 4 }, 2), false, 'below min_unit')
    assert.equal(canAllocate({ ...inv, used: 12 }, 6), false, 'only 4 left')
  })
})
