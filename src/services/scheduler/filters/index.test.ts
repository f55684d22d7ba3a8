import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ALL_FILTERS, FILTERS, resolveFilters } from './index.js'

describe('filter registry', () => {
  it('knows every filter by its Nova class name', () => {
    assert.equal(FILTERS.size, 21)
    for (const [name, filter] of FILTERS) assert.equal(filter.name, name)
    assert.ok(FILTERS.has('AggregateImagePropertiesIsolation'))
  })

  it('resolves enabled filters in order, by class name or Python path', () => {
    const filters = resolveFilters(['ComputeFilter', 'nova.scheduler.filters.affinity_filter.SameHostFilter'])
    assert.deepEqual(
      filters.map((f) => f.name),
      ['ComputeFilter', 'SameHostFilter'],
    )
  })

  it('throws naming unknown filters', () => {
    assert.throws(
      () => resolveFilters(['ComputeFilter', 'RamFilter', 'Nope']),
      /unknown scheduler filter\(s\): RamFilter, Nope/,
    )
  })

  it('checks available_filters unless all_filters is listed', () => {
    assert.equal(resolveFilters(['ComputeFilter'], [ALL_FILTERS]).length, 1)
    assert.equal(
      resolveFilters(['ComputeFilter'], ['nova.scheduler.filters.compute_filter.ComputeFilter']).length,
      1,
    )
    assert.throws(
      () => resolveFilters(['ComputeFilter', 'JsonFilter'], ['ComputeFilter']),
      /not in \[filter_scheduler\]available_filters: JsonFilter/,
    )
  })
})
