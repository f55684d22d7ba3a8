import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeSpec } from '../testing/fakes.js'
import { aggregateRecord, fakeRequestFilterContext } from '../testing/request-filter-fakes.js'
import { requireTenantAggregate } from './require-tenant-aggregate.js'

const p1 = aggregateRecord('p1-only', { filter_tenant_id: 'p1' })
const p1b = aggregateRecord('p1-and-p2', { filter_tenant_id2: 'p1', filter_tenant_id: 'p2' })
const p2 = aggregateRecord('p2-only', { filter_tenant_id: 'p2' })
const other = aggregateRecord('other-key', { owner: 'p3' })
const all = [p1, p1b, p2, other]
const on = { limitTenantsToPlacementAggregate: true }

describe('require_tenant_aggregate', () => {
  it('does nothing unless limit_tenants_to_placement_aggregate', async () => {
    const ctx = fakeRequestFilterContext(all)
    assert.deepEqual(await requireTenantAggregate.apply(fakeSpec(), ctx), [])
    assert.equal(ctx.listed, 0)
  })

  it('requires one of the aggregates whose filter_tenant_id* names the project', async () => {
    const [c] = await requireTenantAggregate.apply(
      fakeSpec({ projectId: 'p1' }),
      fakeRequestFilterContext(all, on),
    )
    assert.deepEqual(c!.memberOf, [p1.uuid, p1b.uuid])
    assert.match(c!.requires, /project p1/)
  })

  it('only exact values of filter_tenant_id* keys count', async () => {
    assert.deepEqual(
      await requireTenantAggregate.apply(fakeSpec({ projectId: 'p3' }), fakeRequestFilterContext(all, on)),
      [],
    )
  })

  it('with placement_aggregate_required_for_tenants, a project without aggregates gets no host', async () => {
    const [c] = await requireTenantAggregate.apply(
      fakeSpec({ projectId: 'p3' }),
      fakeRequestFilterContext(all, { ...on, placementAggregateRequiredForTenants: true }),
    )
    assert.equal(c!.matchesNothing, true)
    assert.match(c!.failure, /it has none/)
  })
})
