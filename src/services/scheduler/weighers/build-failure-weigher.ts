import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** Recent build failures of the host; the multiplier is negated, so each failure pushes the host down. */
export const BuildFailureWeigher: HostWeigher = {
  name: 'BuildFailureWeigher',
  optionName: 'build_failure_weight_multiplier',
  multiplier: (host, ctx) =>
    0 - weightMultiplier(host, 'build_failure_weight_multiplier', ctx.settings.buildFailureWeightMultiplier),
  weigh: (host) => host.failedBuilds,
}
