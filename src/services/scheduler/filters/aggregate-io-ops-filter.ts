import type { HostFilter } from './host-filter.js'
import { checkIoOps } from './io-ops-filter.js'
import { aggregateNumber } from './utils.js'

/**
 * IoOpsFilter with the limit taken from the host's aggregates' `max_io_ops_per_host` metadata (the smallest
 * when several set it), falling back to [filter_scheduler]max_io_ops_per_host when none does or a value is
 * not an integer.
 */
export const AggregateIoOpsFilter: HostFilter = {
  name: 'AggregateIoOpsFilter',
  check: (host, _spec, ctx) =>
    checkIoOps(host, aggregateNumber(host, 'max_io_ops_per_host', ctx.settings.maxIoOpsPerHost, 'int')),
}
