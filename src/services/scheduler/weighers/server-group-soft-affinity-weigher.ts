import type { GroupPolicy, HostState, RequestSpec } from '../host-state.js'
import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** Members of the request's server group on the host, when the group has `policy`; else 0. */
export function groupMembersOnHost(host: HostState, spec: RequestSpec, policy: GroupPolicy): number {
  const group = spec.instanceGroup
  if (group === undefined || group.policy !== policy) return 0
  return new Set(group.members.filter((uuid) => host.instances.has(uuid))).size
}

/** soft-affinity server groups: the more members of the group a host runs, the better. */
export const ServerGroupSoftAffinityWeigher: HostWeigher = {
  name: 'ServerGroupSoftAffinityWeigher',
  optionName: 'soft_affinity_weight_multiplier',
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'soft_affinity_weight_multiplier', ctx.settings.softAffinityWeightMultiplier),
  weigh: (host, spec) => groupMembersOnHost(host, spec, 'soft-affinity'),
}
