import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'
import { groupMembersOnHost } from './server-group-soft-affinity-weigher.js'

/** soft-anti-affinity server groups: the fewer members of the group a host runs, the better. */
export const ServerGroupSoftAntiAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAntiAffinityWeigher',
  optionName: 'soft_anti_affinity_weight_multiplier',
  multiplier: (host, ctx) =>
    weightMultiplier(
      host,
      'soft_anti_affinity_weight_multiplier',
      ctx.settings.softAntiAffinityWeightMultiplier,
    ),
  weigh: (host, spec) => 0 - groupMembersOnHost(host, spec, 'soft-anti-affinity'),
}
