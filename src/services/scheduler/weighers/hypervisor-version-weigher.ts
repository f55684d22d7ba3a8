import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** The hypervisor version: newer hosts first by default (helps upgrades), negative prefers older ones. */
export const HypervisorVersionWeigher: HostWeigher = {
  name: 'HypervisorVersionWeigher',
  optionName: 'hypervisor_version_weight_multiplier',
  multiplier: (host, ctx) =>
    weightMultiplier(
      host,
      'hypervisor_version_weight_multiplier',
      ctx.settings.hypervisorVersionWeightMultiplier,
    ),
  weigh: (host) => host.hypervisorVersion || 0,
}
