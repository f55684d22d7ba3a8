import { matchExtraSpec } from './extra-spec-ops.js'
import type { HostFilter } from './host-filter.js'
import { aggregateMetadata } from './utils.js'

const SCOPE = 'aggregate_instance_extra_specs'

/**
 * Flavor extra specs that are unscoped or scoped `aggregate_instance_extra_specs:` must be matched (with the
 * extra-spec operators) by one of the values the host's aggregates give that key; a key no aggregate of the
 * host sets fails. Specs in other scopes (hw:, resources:, …) are ignored.
 */
export const AggregateInstanceExtraSpecsFilter: HostFilter = {
  name: 'AggregateInstanceExtraSpecsFilter',
  runOncePerRequest: true,
  check(host, spec) {
    const extraSpecs = Object.entries(spec.flavor.extraSpecs)
    if (extraSpecs.length === 0) return undefined
    const metadata = aggregateMetadata(host)
    for (const [fullKey, req] of extraSpecs) {
      const at = fullKey.indexOf(':')
      if (at >= 0 && fullKey.slice(0, at) !== SCOPE) continue
      const key = at >= 0 ? fullKey.slice(at + 1) : fullKey
      const values = metadata.get(key)
      if (values === undefined || values.size === 0) return `no aggregate sets ${key}`
      if (![...values].some((value) => matchExtraSpec(value, req)))
        return `aggregate ${key} does not match '${req}'`
    }
    return undefined
  },
}
