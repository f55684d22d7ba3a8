import { describeAggregates, type RequestFilter } from './request-filter.js'

const TENANT_KEY = 'filter_tenant_id'

/**
 * [scheduler]limit_tenants_to_placement_aggregate: a project named by a `filter_tenant_id*` metadata value of
 * some aggregates may only use hosts in those aggregates. A project without any is unrestricted, unless
 * placement_aggregate_required_for_tenants, when it may use no host at all.
 */
export const requireTenantAggregate: RequestFilter = {
  name: 'require_tenant_aggregate',
  async apply(spec, ctx) {
    if (!ctx.settings.limitTenantsToPlacementAggregate) return []
    const mine = (await ctx.aggregates()).filter((a) =>
      Object.entries(a.metadata).some(
        ([key, value]) => key.startsWith(TENANT_KEY) && value === spec.projectId,
      ),
    )
    const base = { filter: 'require_tenant_aggregate', failure: "not in one of the project's aggregates" }
    if (mine.length > 0) {
      return [
        {
          ...base,
          requires: `aggregates of project ${spec.projectId} (${describeAggregates(mine)})`,
          memberOf: mine.map((a) => a.uuid),
        },
      ]
    }
    if (!ctx.settings.placementAggregateRequiredForTenants) return []
    ctx.logger.warn({ project: spec.projectId }, 'Tenant has no available aggregates')
    return [
      {
        ...base,
        failure: 'not in an aggregate of the project (it has none)',
        requires: `an aggregate of project ${spec.projectId} (none has ${TENANT_KEY}* = it)`,
        matchesNothing: true,
      },
    ]
  },
}
