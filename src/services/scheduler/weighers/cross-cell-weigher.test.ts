import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { CrossCellWeigher } from './cross-cell-weigher.js'

describe('CrossCellWeigher', () => {
  const ctx = fakeContext()
  const cell1 = fakeHost({ cellUuid: 'cell1' })
  const cell2 = fakeHost({ cellUuid: 'cell2' })
  it('is neutral outside moves', () => {
    assert.equal(CrossCellWeigher.weigh(cell1, fakeSpec(), ctx), 0)
  })
  it("prefers the instance's own cell during a move", () => {
    const move = fakeSpec({ sourceCellUuid: 'cell1' })
    assert.equal(CrossCellWeigher.weigh(cell1, move, ctx), 1)
    assert.equal(CrossCellWeigher.weigh(cell2, move, ctx), -1)
    assert.equal(CrossCellWeigher.multiplier(cell1, ctx), 1000000)
  })
})
