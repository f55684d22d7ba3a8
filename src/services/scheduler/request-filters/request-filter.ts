import type { Logger } from '../../../common/logger.js'
import type { RequestSpec } from '../host-state.js'

/** A host aggregate as the request filters read it: nova mirrors each into a placement aggregate of the same uuid. */
export interface AggregateRecord {
  readonly uuid: string
  readonly name: string
  readonly metadata: Readonly<Record<string, string>>
  /** Compute host names in the aggregate. */
  readonly hosts: readonly string[]
}

/** Where the request filters read host aggregates from (the API database in production). */
export interface AggregateSource {
  list(): Promise<readonly AggregateRecord[]>
}

/** The `[scheduler]` options that switch request filters on (and the default zone). */
export interface RequestFilterSettings {
  readonly limitTenantsToPlacementAggregate: boolean
  readonly placementAggregateRequiredForTenants: boolean
  readonly queryPlacementForImageTypeSupport: boolean
  readonly enableIsolatedAggregateFiltering: boolean
  readonly imageMetadataPrefilter: boolean
  /** `[DEFAULT]default_availability_zone`: the zone of hosts in no zone aggregate. */
  readonly defaultAvailabilityZone: string
}

/**
 * What one request filter adds to the placement query (Nova's Destination aggregates and the request spec's
 * root_required/root_forbidden), with words for the NoValidHost explanation.
 */
export interface PlacementConstraint {
  /** The request filter that added it, e.g. 'map_az_to_placement_aggregate'. */
  readonly filter: string
  /** What it requires, for admins: 'availability zone az2 (aggregates az2-hosts 6f1c…)'. */
  readonly requires: string
  /** What a host failing it is, without names (safe for projects): 'not in availability zone az2'. */
  readonly failure: string
  /** `member_of=in:<these>`: the host must be in one of them. */
  readonly memberOf?: readonly string[]
  /** `member_of=!in:<these>`: the host must be in none of them. */
  readonly forbiddenAggregates?: readonly string[]
  /** `root_required=<trait>`: the compute node's provider must have them. */
  readonly rootRequired?: readonly string[]
  /** `root_required=!<trait>`: the compute node's provider must not have them. */
  readonly rootForbidden?: readonly string[]
  /** No host can satisfy it (a zone no aggregate has): placement is not even asked. */
  readonly matchesNothing?: boolean
}

export interface RequestFilterContext {
  readonly settings: RequestFilterSettings
  /** The host aggregates, read once per request however many filters ask. */
  aggregates(): Promise<readonly AggregateRecord[]>
  readonly logger: Logger
}

/** One of Nova's request (pre-)filters: turns part of the request into placement constraints. */
export interface RequestFilter {
  /** Nova's function name, e.g. 'compute_status_filter'. */
  readonly name: string
  apply(spec: RequestSpec, ctx: RequestFilterContext): Promise<readonly PlacementConstraint[]>
}

/** `a1 (uuid1), a2 (uuid2)`: aggregates as admins read them. */
export function describeAggregates(aggregates: readonly AggregateRecord[]): string {
  return aggregates.map((a) => `${a.name} ${a.uuid}`).join(', ')
}
