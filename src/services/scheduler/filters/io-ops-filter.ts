import type { HostState } from '../host-state.js'
import type { HostFilter } from './host-filter.js'

/** The I/O-ops check shared with AggregateIoOpsFilter: fewer I/O-heavy operations in progress than `max`. */
export function checkIoOps(host: HostState, max: number): string | undefined {
  if (host.numIoOps < max) return undefined
  return `has ${host.numIoOps} I/O operations in progress (max ${max})`
}

/** Hosts running fewer I/O-heavy operations (builds, resizes, snapshots, …) than [filter_scheduler]max_io_ops_per_host. */
export const IoOpsFilter: HostFilter = {
  name: 'IoOpsFilter',
  check: (host, _spec, ctx) => checkIoOps(host, ctx.settings.maxIoOpsPerHost),
}
