import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ALL_WEIGHERS, resolveWeighers, WEIGHERS } from './index.js'

describe('weigher registry', () => {
  it('knows every weigher by its Nova class name', () => {
    assert.equal(WEIGHERS.size, 12)
    for (const [name, weigher] of WEIGHERS) assert.equal(weigher.name, name)
  })

  it('resolves all_weighers to every weigher', () => {
    assert.equal(resolveWeighers([ALL_WEIGHERS]).length, 12)
    assert.equal(resolveWeighers(['RAMWeigher', ALL_WEIGHERS]).length, 12)
  })

  it('resolves class names and Python paths once each, in order', () => {
    assert.deepEqual(
      resolveWeighers(['nova.scheduler.weights.ram.RAMWeigher', 'CPUWeigher', 'RAMWeigher']).map(
        (w) => w.name,
      ),
      ['RAMWeigher', 'CPUWeigher'],
    )
    assert.deepEqual(resolveWeighers([]), [])
  })

  it('throws naming unknown weighers', () => {
    assert.throws(
      () => resolveWeighers(['RAMWeigher', 'PCIWeigher', 'Foo']),
      /unknown weigher\(s\): PCIWeigher, Foo/,
    )
  })
})
