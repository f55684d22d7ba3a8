import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** Instances on the host; off by default (0.0), negative prefers emptier hosts. */
export const NumInstancesWeigher: HostWeigher = {
  name: 'NumInstancesWeigher',
  optionName: 'num_instances_weight_multiplier',
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'num_instances_weight_multiplier', ctx.settings.numInstancesWeightMultiplier),
  weigh: (host) => host.numInstances,
}
