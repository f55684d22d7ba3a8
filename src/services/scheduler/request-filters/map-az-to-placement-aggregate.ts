import { describeAggregates, type RequestFilter } from './request-filter.js'

const AZ_KEY = 'availability_zone'

/**
 * A requested availability zone becomes `member_of=in:<aggregates whose availability_zone is that zone>`.
 * Hosts in no zone aggregate are in [DEFAULT]default_availability_zone: asking for that zone forbids every
 * zone aggregate instead. A zone no aggregate has (and not the default one) matches no host.
 */
export const mapAzToPlacementAggregate: RequestFilter = {
  name: 'map_az_to_placement_aggregate',
  async apply(spec, ctx) {
    const zone = spec.availabilityZone
    if (zone === undefined || zone === '') return []
    const all = await ctx.aggregates()
    const inZone = all.filter((a) => a.metadata[AZ_KEY] === zone)
    const base = { filter: 'map_az_to_placement_aggregate', failure: `not in availability zone ${zone}` }
    if (inZone.length > 0) {
      return [
        {
          ...base,
          requires: `availability zone ${zone} (aggregates ${describeAggregates(inZone)})`,
          memberOf: inZone.map((a) => a.uuid),
        },
      ]
    }
    if (zone === ctx.settings.defaultAvailabilityZone) {
      const zoned = all.filter((a) => a.metadata[AZ_KEY] !== undefined)
      if (zoned.length === 0) return []
      return [
        {
          ...base,
          requires: `default availability zone ${zone}: in no zone aggregate (not in ${describeAggregates(zoned)})`,
          forbiddenAggregates: zoned.map((a) => a.uuid),
        },
      ]
    }
    return [{ ...base, requires: `availability zone ${zone} (no aggregate has it)`, matchesNothing: true }]
  },
}
