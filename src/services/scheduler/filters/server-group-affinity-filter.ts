import type { HostFilter } from './host-filter.js'

/**
 * For a server group with the `affinity` policy: once the group has hosts (members placed before, or earlier
 * instances of this request), only those hosts. Not run once per request: the group's hosts grow as the
 * instances of a multi-create request are placed.
 */
export const ServerGroupAffinityFilter: HostFilter = {
  name: 'ServerGroupAffinityFilter',
  check(host, spec) {
    const group = spec.instanceGroup
    if (group === undefined || group.policy !== 'affinity') return undefined
    if (group.hosts.length === 0 || group.hosts.includes(host.host)) return undefined
    return 'is not the host of the affinity server group'
  },
}
