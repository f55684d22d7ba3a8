import type { HostFilter } from './host-filter.js'
import { aggregateMetadata } from './utils.js'

/**
 * A requested availability zone must be one of the host's zones: the `availability_zone` metadata of its
 * aggregates, or [DEFAULT]default_availability_zone when no aggregate of the host names a zone.
 */
export const AvailabilityZoneFilter: HostFilter = {
  name: 'AvailabilityZoneFilter',
  runOncePerRequest: true,
  check(host, spec, ctx) {
    const wanted = spec.availabilityZone
    if (wanted === undefined || wanted === '') return undefined
    const zones = aggregateMetadata(host, 'availability_zone').get('availability_zone')
    const passes = zones === undefined ? wanted === ctx.settings.defaultAvailabilityZone : zones.has(wanted)
    return passes ? undefined : `not in zone ${wanted}`
  },
}
