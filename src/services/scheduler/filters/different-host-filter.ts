import type { HostFilter } from './host-filter.js'
import { runsAnyInstance, schedulerHintList } from './utils.js'

/** Hint `different_host` (instance uuids): only hosts running none of those instances. */
export const DifferentHostFilter: HostFilter = {
  name: 'DifferentHostFilter',
  runOncePerRequest: true,
  check(host, spec) {
    const uuids = schedulerHintList(spec, 'different_host')
    if (uuids.length === 0 || !runsAnyInstance(host, uuids)) return undefined
    return 'runs a different_host instance'
  },
}
