import type { HostFilter } from './host-filter.js'

/** Lets every host through (Nova's no-op filter). */
export const AllHostsFilter: HostFilter = {
  name: 'AllHostsFilter',
  runOncePerRequest: true,
  check: () => undefined,
}
