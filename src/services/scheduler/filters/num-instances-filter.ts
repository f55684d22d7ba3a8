import type { HostState } from '../host-state.js'
import type { HostFilter } from './host-filter.js'

/** The instance-count check shared with AggregateNumInstancesFilter: fewer instances than `max`. */
export function checkNumInstances(host: HostState, max: number): string | undefined {
  if (host.numInstances < max) return undefined
  return `has ${host.numInstances} instances (max ${max})`
}

/** Hosts with fewer instances than [filter_scheduler]max_instances_per_host. */
export const NumInstancesFilter: HostFilter = {
  name: 'NumInstancesFilter',
  check: (host, _spec, ctx) => checkNumInstances(host, ctx.settings.maxInstancesPerHost),
}
