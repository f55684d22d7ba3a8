import type { HostFilter } from './host-filter.js'
import { checkNumInstances } from './num-instances-filter.js'
import { aggregateNumber } from './utils.js'

/**
 * NumInstancesFilter with the limit taken from the host's aggregates' `max_instances_per_host` metadata (the
 * smallest when several set it), falling back to [filter_scheduler]max_instances_per_host when none does or a
 * value is not an integer.
 */
export const AggregateNumInstancesFilter: HostFilter = {
  name: 'AggregateNumInstancesFilter',
  check: (host, _spec, ctx) =>
    checkNumInstances(
      host,
      aggregateNumber(host, 'max_instances_per_host', ctx.settings.maxInstancesPerHost, 'int'),
    ),
}
