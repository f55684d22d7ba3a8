import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeHost, fakeSpec } from '../testing/fakes.js'
import {
  aggregateMetadata,
  aggregateNumber,
  aggregateValues,
  runsAnyInstance,
  schedulerHint,
  schedulerHintList,
} from './utils.js'

describe('scheduler filter helpers', () => {
  const host = fakeHost({
    aggregates: [
      fakeAggregate({ k: 'a, b', max: '4' }),
      fakeAggregate({ k: 'c', max: '2' }),
      fakeAggregate({ other: 'x' }),
    ],
  })

  it('collects raw values and comma-split metadata over the aggregates', () => {
    assert.deepEqual([...aggregateValues(host, 'k')], ['a, b', 'c'])
    assert.deepEqual([...aggregateMetadata(host).get('k')!], ['a', 'b', 'c'])
    assert.deepEqual([...aggregateMetadata(host, 'k').keys()], ['k', 'max'])
  })

  it('takes the minimum aggregate number, the fallback when unset or when any value is bad', () => {
    assert.equal(aggregateNumber(host, 'max', 8, 'int'), 2)
    assert.equal(aggregateNumber(host, 'unset', 8, 'int'), 8)
    const bad = fakeHost({ aggregates: [fakeAggregate({ max: '1' }), fakeAggregate({ max: 'lots' })] })
    assert.equal(aggregateNumber(bad, 'max', 8, 'int'), 8)
    const float = fakeHost({ aggregates: [fakeAggregate({ m: '2.5' }), fakeAggregate({ m: '-1' })] })
    assert.equal(aggregateNumber(float, 'm', 1, 'float'), -1)
    assert.equal(aggregateNumber(float, 'm', 1, 'int'), 1)
  })

  it('unwraps one-element hints like get_scheduler_hint', () => {
    const spec = fakeSpec({ schedulerHints: { one: ['x'], two: ['x', 'y'] } })
    assert.equal(schedulerHint(spec, 'one'), 'x')
    assert.deepEqual(schedulerHint(spec, 'two'), ['x', 'y'])
    assert.equal(schedulerHint(spec, 'none'), undefined)
    assert.equal(schedulerHint(spec, 'none', '/24'), '/24')
    assert.deepEqual(schedulerHintList(spec, 'one'), ['x'])
    assert.deepEqual(schedulerHintList(spec, 'none'), [])
  })

  it('tells whether a host runs any of some instances', () => {
    const h = fakeHost({ instances: ['i1', 'i2'] })
    assert.equal(runsAnyInstance(h, ['i3', 'i2']), true)
    assert.equal(runsAnyInstance(h, ['i3']), false)
  })
})
