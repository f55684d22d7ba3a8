import type { HostState, RequestSpec } from '../host-state.js'
import type { FilterSchedulerSettings } from '../settings.js'

export type { FilterSchedulerSettings } from '../settings.js'

export interface FilterContext {
  /** The `[filter_scheduler]` and `[metrics]` options (see settingsFromConfig). */
  readonly settings: FilterSchedulerSettings
}

/** One of Nova's host filters: decides whether a candidate host may take the requested instance. */
export interface HostFilter {
  /** Nova's class name, e.g. 'AvailabilityZoneFilter'. */
  readonly name: string
  /**
   * Nova's run_filter_once_per_request: the answer cannot change between the instances of one multi-create
   * request, so the pipeline may filter only for the first instance and reuse the result.
   */
  readonly runOncePerRequest?: boolean
  /** Nova's RUN_ON_REBUILD: the filter still applies when a rebuild with a new image re-checks the current host. */
  readonly runOnRebuild?: boolean
  /**
   * undefined = the host passes; otherwise a short reason without the host name ('not in zone az2',
   * 'has 3 instances (max 2)'). Hosts failing for the same cause give the identical string, so reasons can be
   * grouped and counted in the NoValidHost message.
   */
  check(host: HostState, spec: RequestSpec, ctx: FilterContext): string | undefined
}
