import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { silentLogger } from '../../../common/logger.js'
import { fakeSpec } from '../testing/fakes.js'
import { aggregateRecord, fakeRequestFilterSettings } from '../testing/request-filter-fakes.js'
import { REQUEST_FILTERS, runRequestFilters } from './index.js'

describe('runRequestFilters', () => {
  it("runs Nova's request filters in order and reads the aggregates once", async () => {
    assert.deepEqual(
      REQUEST_FILTERS.map((f) => f.name),
      [
        'require_tenant_aggregate',
        'map_az_to_placement_aggregate',
        'require_image_type_support',
        'compute_status_filter',
        'isolate_aggregates',
        'transform_image_metadata',
      ],
    )
    const aggs = [
      aggregateRecord('az2', { availability_zone: 'az2' }),
      aggregateRecord('p1', { filter_tenant_id: 'p1' }),
      aggregateRecord('gpu', { 'trait:CUSTOM_GPU': 'required' }),
    ]
    let reads = 0
    const constraints = await runRequestFilters(
      fakeSpec({ availabilityZone: 'az2', image: { diskFormat: 'raw', properties: {} } }),
      {
        settings: fakeRequestFilterSettings({
          limitTenantsToPlacementAggregate: true,
          queryPlacementForImageTypeSupport: true,
          enableIsolatedAggregateFiltering: true,
        }),
        aggregates: {
          list: async () => {
            reads += 1
            return aggs
          },
        },
        logger: silentLogger(),
      },
    )
    assert.deepEqual(
      constraints.map((c) => c.filter),
      [
        'require_tenant_aggregate',
        'map_az_to_placement_aggregate',
        'require_image_type_support',
        'compute_status_filter',
        'isolate_aggregates',
      ],
    )
    assert.equal(reads, 1)
  })
})
