import type { Logger } from '../../../common/logger.js'
import type { RequestSpec } from '../host-state.js'
import { computeStatusFilter } from './compute-status-filter.js'
import { isolateAggregates } from './isolate-aggregates.js'
import { mapAzToPlacementAggregate } from './map-az-to-placement-aggregate.js'
import type {
  AggregateRecord,
  AggregateSource,
  PlacementConstraint,
  RequestFilter,
  RequestFilterSettings,
} from './request-filter.js'
import { requireImageTypeSupport } from './require-image-type-support.js'
import { requireTenantAggregate } from './require-tenant-aggregate.js'
import { transformImageMetadata } from './transform-image-metadata.js'

export type {
  AggregateRecord,
  AggregateSource,
  PlacementConstraint,
  RequestFilter,
  RequestFilterContext,
  RequestFilterSettings,
} from './request-filter.js'
export { COMPUTE_STATUS_DISABLED } from './compute-status-filter.js'

/** Nova's ALL_REQUEST_FILTERS that apply without networking, PCI or accelerators, in Nova's order. */
export const REQUEST_FILTERS: readonly RequestFilter[] = [
  requireTenantAggregate,
  mapAzToPlacementAggregate,
  requireImageTypeSupport,
  computeStatusFilter,
  isolateAggregates,
  transformImageMetadata,
]

/** Nova's process_reqspec: every request filter's constraints, in order; aggregates are listed at most once. */
export async function runRequestFilters(
  spec: RequestSpec,
  deps: { settings: RequestFilterSettings; aggregates: AggregateSource; logger: Logger },
  filters: readonly RequestFilter[] = REQUEST_FILTERS,
): Promise<PlacementConstraint[]> {
  let listed: Promise<readonly AggregateRecord[]> | undefined
  const ctx = {
    settings: deps.settings,
    logger: deps.logger,
    aggregates: () => (listed ??= deps.aggregates.list()),
  }
  const constraints: PlacementConstraint[] = []
  for (const filter of filters) {
    const added = await filter.apply(spec, ctx)
    if (added.length > 0)
      deps.logger.debug({ filter: filter.name, added }, 'request filter added constraints')
    constraints.push(...added)
  }
  return constraints
}
