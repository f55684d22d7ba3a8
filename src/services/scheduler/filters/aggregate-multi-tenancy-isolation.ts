import type { HostFilter } from './host-filter.js'
import { aggregateMetadata } from './utils.js'

/**
 * Hosts in aggregates with `filter_tenant_id*` metadata (filter_tenant_id, filter_tenant_id_2, … each a
 * comma-separated list of projects) only take instances of those projects; other hosts take anyone's.
 */
export const AggregateMultiTenancyIsolation: HostFilter = {
  name: 'AggregateMultiTenancyIsolation',
  runOncePerRequest: true,
  check(host, spec) {
    const allowed = new Set<string>()
    for (const [key, values] of aggregateMetadata(host))
      if (key.startsWith('filter_tenant_id')) for (const v of values) allowed.add(v)
    if (allowed.size === 0 || allowed.has(spec.projectId)) return undefined
    return 'project is not allowed by the aggregate filter_tenant_id'
  },
}
