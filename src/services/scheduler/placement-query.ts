// RequestSpec + request filter constraints → the GET /allocation_candidates query (Nova's
// ResourceRequest.to_querystring), plus the smaller queries the NoValidHost explanation asks.
import type { RequestSpec } from './host-state.js'
import type { PlacementConstraint } from './request-filters/index.js'
import { resourceRequestFromSpec, type ResourceGroup, type ResourceRequest } from './resource-request.js'

export interface PlacementQueryOptions {
  /** `[scheduler]max_placement_results`; undefined = no limit. */
  readonly limit?: number
}

const sorted = (values: Iterable<string>): string[] => [...values].sort()

/** `A,B,!C`: required then forbidden traits, each sorted (the form of `required` and `root_required`). */
export function traitList(required: Iterable<string>, forbidden: Iterable<string>): string {
  return [...sorted(required), ...sorted(forbidden).map((t) => `!${t}`)].join(',')
}

/** `VCPU:1,MEMORY_MB:512`, sorted by class. */
export function resourceList(resources: ReadonlyMap<string, number>): string {
  return [...resources]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rc, amount]) => `${rc}:${amount}`)
    .join(',')
}

/** `member_of` values of the constraints: one `in:` per constraint, one `!in:` for every forbidden aggregate. */
export function memberOfValues(constraints: readonly PlacementConstraint[]): string[] {
  const values = constraints
    .filter((c) => c.memberOf !== undefined && c.memberOf.length > 0)
    .map((c) => `in:${sorted(c.memberOf!).join(',')}`)
  const forbidden = new Set(constraints.flatMap((c) => c.forbiddenAggregates ?? []))
  if (forbidden.size > 0) values.push(`!in:${sorted(forbidden).join(',')}`)
  return values.sort()
}

/** The `root_required` value of the constraints, or undefined when they require nothing of the root. */
export function rootRequiredValue(constraints: readonly PlacementConstraint[]): string | undefined {
  const required = new Set(constraints.flatMap((c) => c.rootRequired ?? []))
  const forbidden = new Set(constraints.flatMap((c) => c.rootForbidden ?? []))
  return required.size + forbidden.size === 0 ? undefined : traitList(required, forbidden)
}

function appendGroup(params: URLSearchParams, group: ResourceGroup): void {
  if (group.resources.size > 0) params.append(`resources${group.suffix}`, resourceList(group.resources))
  if (group.required.size + group.forbidden.size > 0)
    params.append(`required${group.suffix}`, traitList(group.required, group.forbidden))
}

/**
 * The query for a resource request and constraints: `limit`, `group_policy` ('none' when several suffixed
 * groups name none: placement requires one), `root_required`, then per group `resources<S>`, `required<S>`;
 * the constraints' aggregates go to the unsuffixed group's `member_of` (one `in:` per constraint, all
 * forbidden ones in one `!in:`).
 */
export function placementQueryFor(
  request: ResourceRequest,
  constraints: readonly PlacementConstraint[],
  options: PlacementQueryOptions = {},
): URLSearchParams {
  const params = new URLSearchParams()
  if (options.limit !== undefined) params.append('limit', String(options.limit))
  const suffixed = request.groups.filter((g) => g.suffix !== '').length
  const policy = request.groupPolicy ?? (suffixed > 1 ? 'none' : undefined)
  if (policy !== undefined) params.append('group_policy', policy)
  const root = rootRequiredValue(constraints)
  if (root !== undefined) params.append('root_required', root)
  for (const group of request.groups) {
    appendGroup(params, group)
    if (group.suffix === '')
      for (const value of memberOfValues(constraints)) params.append('member_of', value)
  }
  return params
}

/** The GET /allocation_candidates query of a request spec once the request filters have added constraints. */
export function placementQuery(
  spec: RequestSpec,
  constraints: readonly PlacementConstraint[],
  options: PlacementQueryOptions = {},
): URLSearchParams {
  return placementQueryFor(resourceRequestFromSpec(spec), constraints, options)
}
