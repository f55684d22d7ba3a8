import { AggregateImagePropertiesIsolation } from './aggregate-image-properties-isolation.js'
import { AggregateInstanceExtraSpecsFilter } from './aggregate-instance-extra-specs-filter.js'
import { AggregateIoOpsFilter } from './aggregate-io-ops-filter.js'
import { AggregateMultiTenancyIsolation } from './aggregate-multi-tenancy-isolation.js'
import { AggregateNumInstancesFilter } from './aggregate-num-instances-filter.js'
import { AggregateTypeAffinityFilter } from './aggregate-type-affinity-filter.js'
import { AllHostsFilter } from './all-hosts-filter.js'
import { AvailabilityZoneFilter } from './availability-zone-filter.js'
import { ComputeCapabilitiesFilter } from './compute-capabilities-filter.js'
import { ComputeFilter } from './compute-filter.js'
import { DifferentHostFilter } from './different-host-filter.js'
import type { HostFilter } from './host-filter.js'
import { ImagePropertiesFilter } from './image-properties-filter.js'
import { IoOpsFilter } from './io-ops-filter.js'
import { IsolatedHostsFilter } from './isolated-hosts-filter.js'
import { JsonFilter } from './json-filter.js'
import { MetricsFilter } from './metrics-filter.js'
import { NumInstancesFilter } from './num-instances-filter.js'
import { SameHostFilter } from './same-host-filter.js'
import { ServerGroupAffinityFilter } from './server-group-affinity-filter.js'
import { ServerGroupAntiAffinityFilter } from './server-group-anti-affinity-filter.js'
import { SimpleCIDRAffinityFilter } from './simple-cidr-affinity-filter.js'

export type { FilterContext, HostFilter } from './host-filter.js'

/** `available_filters` value meaning every built-in filter. */
export const ALL_FILTERS = 'nova.scheduler.filters.all_filters'

/** Every built-in filter by Nova's class name. */
export const FILTERS: ReadonlyMap<string, HostFilter> = new Map(
  [
    AllHostsFilter,
    ComputeFilter,
    ComputeCapabilitiesFilter,
    ImagePropertiesFilter,
    ServerGroupAffinityFilter,
    ServerGroupAntiAffinityFilter,
    AvailabilityZoneFilter,
    SameHostFilter,
    DifferentHostFilter,
    SimpleCIDRAffinityFilter,
    AggregateInstanceExtraSpecsFilter,
    AggregateImagePropertiesIsolation,
    AggregateMultiTenancyIsolation,
    AggregateTypeAffinityFilter,
    IoOpsFilter,
    AggregateIoOpsFilter,
    NumInstancesFilter,
    AggregateNumInstancesFilter,
    IsolatedHostsFilter,
    JsonFilter,
    MetricsFilter,
  ].map((f) => [f.name, f]),
)

/** A class name from a name or a Python path (`nova.scheduler.filters.compute_filter.ComputeFilter`). */
const className = (name: string) => name.trim().split('.').at(-1)!

/**
 * The filters of `[filter_scheduler]enabled_filters`, in order. Names may be class names or Python class paths.
 * With `available` ([filter_scheduler]available_filters), an enabled filter must also be available (unless
 * `nova.scheduler.filters.all_filters` is listed). Throws an Error naming each unknown or unavailable filter.
 */
export function resolveFilters(enabledNames: readonly string[], available?: readonly string[]): HostFilter[] {
  const availableNames =
    available === undefined || available.includes(ALL_FILTERS) ? undefined : new Set(available.map(className))
  const unknown: string[] = []
  const unavailable: string[] = []
  const filters: HostFilter[] = []
  for (const name of enabledNames) {
    const filter = FILTERS.get(className(name))
    if (filter === undefined) unknown.push(name)
    else if (availableNames !== undefined && !availableNames.has(filter.name)) unavailable.push(name)
    else filters.push(filter)
  }
  const problems = [
    ...(unknown.length > 0 ? [`unknown scheduler filter(s): ${unknown.join(', ')}`] : []),
    ...(unavailable.length > 0
      ? [`scheduler filter(s) not in [filter_scheduler]available_filters: ${unavailable.join(', ')}`]
      : []),
  ]
  if (problems.length > 0)
    throw new Error(
      `[filter_scheduler]enabled_filters: ${problems.join('; ')} (known: ${[...FILTERS.keys()].join(', ')})`,
    )
  return filters
}
