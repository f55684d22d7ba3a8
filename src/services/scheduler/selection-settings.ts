import type { NovaConfig } from '../../config/index.js'
import type { Logger } from '../../common/logger.js'
import { resolveFilters } from './filters/index.js'
import type { HostStateSource, SchedulerPlacement, SelectionDeps } from './selection.js'
import type { AggregateSource, RequestFilterSettings } from './request-filters/index.js'
import { settingsFromConfig, type FilterSchedulerSettings } from './settings.js'
import { resolveWeighers } from './weighers/index.js'

/** The options select_destinations reads, typed. */
export interface SelectionSettings {
  /** What filters and weighers read. */
  readonly filterScheduler: FilterSchedulerSettings
  /** What switches the request filters on. */
  readonly requestFilters: RequestFilterSettings
  /** `[filter_scheduler]host_subset_size`: pick at random among this many best-weighed hosts. */
  readonly hostSubsetSize: number
  /** `[filter_scheduler]shuffle_best_same_weighed_hosts`. */
  readonly shuffleBestSameWeighedHosts: boolean
  /** `[scheduler]max_attempts`: the chosen host plus up to max_attempts − 1 alternates. */
  readonly maxAttempts: number
  /** `[scheduler]max_placement_results`: the `limit` of the allocation candidates query. */
  readonly maxPlacementResults: number
}

export function selectionSettingsFromConfig(config: NovaConfig): SelectionSettings {
  const s = config.scheduler
  return {
    filterScheduler: settingsFromConfig(config),
    requestFilters: {
      limitTenantsToPlacementAggregate: s.limit_tenants_to_placement_aggregate,
      placementAggregateRequiredForTenants: s.placement_aggregate_required_for_tenants,
      queryPlacementForImageTypeSupport: s.query_placement_for_image_type_support,
      enableIsolatedAggregateFiltering: s.enable_isolated_aggregate_filtering,
      imageMetadataPrefilter: s.image_metadata_prefilter,
      defaultAvailabilityZone: config.DEFAULT.default_availability_zone,
    },
    hostSubsetSize: config.filter_scheduler.host_subset_size,
    shuffleBestSameWeighedHosts: config.filter_scheduler.shuffle_best_same_weighed_hosts,
    maxAttempts: s.max_attempts,
    maxPlacementResults: s.max_placement_results,
  }
}

/**
 * The deps of selectDestinations from the configuration: settings, the enabled filters (checked against
 * available_filters) and weighers. Throws an Error naming unknown filters or weighers.
 */
export function selectionDepsFromConfig(
  config: NovaConfig,
  sources: {
    readonly placement: SchedulerPlacement
    readonly hostStates: HostStateSource
    readonly aggregates: AggregateSource
    readonly logger: Logger
  },
): SelectionDeps {
  const settings = selectionSettingsFromConfig(config)
  for (const warning of settings.filterScheduler.ignoredSettings) sources.logger.warn(warning)
  return {
    ...sources,
    settings,
    filters: resolveFilters(
      config.filter_scheduler.enabled_filters,
      config.filter_scheduler.available_filters,
    ),
    weighers: resolveWeighers(config.filter_scheduler.weight_classes),
  }
}
