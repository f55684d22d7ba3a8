import type { HostFilter } from './host-filter.js'
import { runsAnyInstance, schedulerHintList } from './utils.js'

/** Hint `same_host` (instance uuids): only hosts running at least one of those instances. */
export const SameHostFilter: HostFilter = {
  name: 'SameHostFilter',
  runOncePerRequest: true,
  check(host, spec) {
    const uuids = schedulerHintList(spec, 'same_host')
    if (uuids.length === 0 || runsAnyInstance(host, uuids)) return undefined
    return 'runs none of the same_host instances'
  },
}
