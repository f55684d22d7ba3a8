import type { HostFilter } from './host-filter.js'

/**
 * For a server group with the `anti-affinity` policy: the host must run fewer members of the group than the
 * group's `max_server_per_host` rule (default 1). A host already running the instance itself (a move or resize
 * checking its source host) passes.
 */
export const ServerGroupAntiAffinityFilter: HostFilter = {
  name: 'ServerGroupAntiAffinityFilter',
  check(host, spec) {
    const group = spec.instanceGroup
    if (group === undefined || group.policy !== 'anti-affinity') return undefined
    if (host.instances.has(spec.instanceUuid)) return undefined
    const onHost = new Set(group.members.filter((uuid) => host.instances.has(uuid))).size
    const max = group.rules.max_server_per_host ?? 1
    if (onHost < max) return undefined
    return `has ${onHost} member(s) of the anti-affinity server group (max ${max})`
  },
}
