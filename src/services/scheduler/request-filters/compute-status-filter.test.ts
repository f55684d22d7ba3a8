import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeSpec } from '../testing/fakes.js'
import { fakeRequestFilterContext } from '../testing/request-filter-fakes.js'
import { computeStatusFilter } from './compute-status-filter.js'

describe('compute_status_filter', () => {
  it('always forbids COMPUTE_STATUS_DISABLED on the compute node, without reading aggregates', async () => {
    const ctx = fakeRequestFilterContext()
    const [c, ...rest] = await computeStatusFilter.apply(fakeSpec(), ctx)
    assert.deepEqual(rest, [])
    assert.deepEqual(c!.rootForbidden, ['COMPUTE_STATUS_DISABLED'])
    assert.equal(c!.rootRequired, undefined)
    assert.equal(c!.failure, 'compute service disabled')
    assert.equal(ctx.listed, 0)
  })
})
