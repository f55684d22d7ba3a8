import type { HostFilter } from './host-filter.js'

/** Only hosts whose nova-compute service is enabled and up. */
export const ComputeFilter: HostFilter = {
  name: 'ComputeFilter',
  runOncePerRequest: true,
  check(host) {
    if (host.serviceDisabled) return 'compute service is disabled'
    if (!host.serviceUp) return 'compute service is down'
    return undefined
  },
}
