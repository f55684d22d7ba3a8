import { allRequiredTraits, resourceRequestFromSpec } from '../resource-request.js'
import { describeAggregates, type RequestFilter } from './request-filter.js'

const TRAIT_KEY = 'trait:'

/**
 * [scheduler]enable_isolated_aggregate_filtering: an aggregate with metadata `trait:<NAME>=required` keeps out
 * every request that does not require <NAME> (in its flavor extra specs or image properties), via
 * `member_of=!in:<those aggregates>`.
 */
export const isolateAggregates: RequestFilter = {
  name: 'isolate_aggregates',
  async apply(spec, ctx) {
    if (!ctx.settings.enableIsolatedAggregateFiltering) return []
    const wanted = allRequiredTraits(resourceRequestFromSpec(spec))
    const isolated = (await ctx.aggregates()).filter((a) =>
      Object.entries(a.metadata).some(
        ([key, value]) =>
          key.startsWith(TRAIT_KEY) && value === 'required' && !wanted.has(key.slice(TRAIT_KEY.length)),
      ),
    )
    if (isolated.length === 0) return []
    return [
      {
        filter: 'isolate_aggregates',
        requires: `none of the aggregates requiring traits the request lacks (${describeAggregates(isolated)})`,
        failure: 'in an aggregate reserved for requests with other traits',
        forbiddenAggregates: isolated.map((a) => a.uuid),
      },
    ]
  },
}
