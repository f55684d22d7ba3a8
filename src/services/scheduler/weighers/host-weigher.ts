import type { HostState, RequestSpec } from '../host-state.js'
import type { FilterSchedulerSettings } from '../settings.js'

export interface WeighContext {
  /** The `[filter_scheduler]` and `[metrics]` options (see settingsFromConfig). */
  readonly settings: FilterSchedulerSettings
}

/** One of Nova's host weighers: a raw value per host, normalised across the candidates and multiplied. */
export interface HostWeigher {
  /** Nova's class name, e.g. 'RAMWeigher'. */
  readonly name: string
  /**
   * The multiplier option, e.g. 'ram_weight_multiplier'; also the aggregate metadata key overriding it per host
   * (the smallest value over the host's aggregates; the configured one if any value is not a number).
   */
  readonly optionName?: string
  /**
   * Nova's minval/maxval: raw values are clamped to them, and normalisation uses them instead of the
   * candidates' minimum/maximum (RAM, CPU, disk and I/O weighers have minval 0).
   */
  readonly minval?: number
  readonly maxval?: number
  /** The multiplier for this host. */
  multiplier(host: HostState, ctx: WeighContext): number
  /** The raw value for this host (higher wins before the multiplier's sign). */
  weigh(host: HostState, spec: RequestSpec, ctx: WeighContext): number
}
