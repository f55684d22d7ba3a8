import { aggregateNumber } from '../filters/utils.js'
import type { HostState } from '../host-state.js'

/**
 * Nova's get_weight_multiplier: the host's aggregates may override a weigher's multiplier with metadata named
 * like the option (the smallest value wins); with no such metadata, or a value that is not a number, the
 * configured multiplier applies.
 */
export function weightMultiplier(host: HostState, optionName: string, configured: number): number {
  return aggregateNumber(host, optionName, configured, 'float')
}
