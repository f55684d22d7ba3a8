import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** Free RAM: spreads by default; a negative ram_weight_multiplier stacks. */
export const RAMWeigher: HostWeigher = {
  name: 'RAMWeigher',
  optionName: 'ram_weight_multiplier',
  minval: 0,
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'ram_weight_multiplier', ctx.settings.ramWeightMultiplier),
  weigh: (host) => host.freeRamMb,
}
