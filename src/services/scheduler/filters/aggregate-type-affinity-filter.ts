import type { HostFilter } from './host-filter.js'
import { aggregateValues } from './utils.js'

/**
 * Hosts in aggregates with `instance_type` metadata (a comma-separated list of flavor names) only take those
 * flavors; hosts without such metadata take any flavor.
 */
export const AggregateTypeAffinityFilter: HostFilter = {
  name: 'AggregateTypeAffinityFilter',
  runOncePerRequest: true,
  check(host, spec) {
    const values = aggregateValues(host, 'instance_type')
    if (values.size === 0) return undefined
    for (const value of values)
      if (value.split(',').some((name) => name.trim() === spec.flavor.name)) return undefined
    return `flavor ${spec.flavor.name} is not in the aggregate instance_type`
  },
}
