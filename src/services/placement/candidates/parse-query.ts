// GET /allocation_candidates query string → CandidateRequest, with placement's rules per microversion.
// Unknown resource classes and traits are not checked here (that needs the database): see namesInRequest.
import type { CandidateRequest, RequestGroup, TraitExpression } from './model.js'
import {
  parseInTree,
  parseMemberOf,
  parseResources,
  parseTraits,
  type ParsedTraits,
} from './parse-query-values.js'
import { PlacementQueryError } from './query-error.js'

export interface Microversion {
  readonly major: number
  readonly minor: number
}

export interface ParseQueryOptions {
  /** [placement] randomize_allocation_candidates. */
  readonly randomize?: boolean
}

type GroupPrefix = 'resources' | 'required' | 'member_of' | 'in_tree'

interface GroupParams {
  resources?: Map<string, number>
  requiredValues: string[]
  memberOfValues: string[]
  inTree?: string
}

const NUMBERED_SUFFIX = '[1-9][0-9]*'
const NAMED_SUFFIX = '[a-zA-Z0-9_-]{1,64}'

/** A query string as a framework hands it over: repeated parameters as arrays. */
export type QueryParams = Readonly<Record<string, string | readonly string[] | undefined>>

export function parseCandidateQuery(
  query: QueryParams,
  microversion: Microversion,
  options: ParseQueryOptions = {},
): CandidateRequest {
  // Callers route versions below 1.10 to 404 before parsing; they are parsed here by the 1.10 rules.
  const atLeast = (minor: number): boolean =>
    microversion.major > 1 || (microversion.major === 1 && microversion.minor >= minor)
  const params = new Map<string, string[]>()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue
    const values = typeof value === 'string' ? [value] : [...value]
    if (values.length > 0) params.set(key, values)
  }

  // Which parameters exist at this microversion (upstream's JSON schema, additionalProperties: false).
  const granular = atLeast(25)
  const groupKey = new RegExp(
    `^(resources|required|member_of${atLeast(31) ? '|in_tree' : ''})(${atLeast(33) ? NAMED_SUFFIX : NUMBERED_SUFFIX})?$`,
  )
  const splitGroupKey = (key: string): { prefix: GroupPrefix; suffix: string } | undefined => {
    if (!granular) {
      const known =
        key === 'resources' || (key === 'required' && atLeast(17)) || (key === 'member_of' && atLeast(21))
      return known ? { prefix: key as GroupPrefix, suffix: '' } : undefined
    }
    const match = groupKey.exec(key)
    return match ? { prefix: match[1] as GroupPrefix, suffix: match[2] ?? '' } : undefined
  }
  const requestWide = new Set<string>([
    ...(atLeast(16) ? ['limit'] : []),
    ...(granular ? ['group_policy'] : []),
    ...(atLeast(35) ? ['root_required'] : []),
    ...(atLeast(36) ? ['same_subtree'] : []),
  ])
  const unexpected = [...params.keys()].filter((key) => !requestWide.has(key) && !splitGroupKey(key))
  if (unexpected.length > 0) {
    const names = unexpected.map((k) => `'${k}'`).join(', ')
    throw invalid(
      `Additional properties are not allowed (${names} ${unexpected.length > 1 ? 'were' : 'was'} unexpected)`,
    )
  }
  if (!granular && !params.has('resources')) throw invalid("'resources' is a required property")
  for (const value of params.get('limit') ?? []) {
    if (!/^[1-9][0-9]*$/.test(value)) throw invalid(`'${value}' does not match '^[1-9][0-9]*$'`)
  }
  for (const value of params.get('group_policy') ?? []) {
    if (value !== 'none' && value !== 'isolate') throw invalid(`'${value}' is not one of ['none', 'isolate']`)
  }

  // Request-wide parameters; limit and group_policy take their first value, as upstream.
  const limitValue = params.get('limit')?.[0]
  const groupPolicy = params.get('group_policy')?.[0] as 'none' | 'isolate' | undefined
  const rootRequired = parseRootRequired(params.get('root_required'))
  const sameSubtree = (params.get('same_subtree') ?? []).map((value) => {
    const suffixes = [...new Set(value.split(',').map((s) => s.trim()))]
    if (suffixes.includes('')) {
      throw new PlacementQueryError(
        'Empty string (unsuffixed group) can not be specified in `same_subtree` ',
        'placement.query.bad_value',
      )
    }
    return suffixes
  })

  // Groups, keyed by suffix in order of first appearance.
  const bySuffix = new Map<string, GroupParams>()
  for (const [key, values] of params) {
    const split = splitGroupKey(key)
    if (split === undefined) continue
    let group = bySuffix.get(split.suffix)
    if (group === undefined) bySuffix.set(split.suffix, (group = { requiredValues: [], memberOfValues: [] }))
    if (split.prefix === 'resources') {
      // Every value must be well formed; the last one wins.
      for (const value of values) group.resources = parseResources(value)
    } else if (split.prefix === 'required') {
      // Before 1.39 only the last `required` counts; from 1.39 they add up.
      group.requiredValues.push(...(atLeast(39) ? values : values.slice(-1)))
    } else if (split.prefix === 'member_of') {
      if (!atLeast(24) && values.length > 1) {
        throw new PlacementQueryError(`Multiple member_of${split.suffix} parameters are not supported`)
      }
      group.memberOfValues.push(...values)
    } else {
      for (const value of values) group.inTree = parseInTree(value)
    }
  }
  const groups = [...bySuffix].map(([suffix, params]) =>
    buildGroup(suffix, params, atLeast(22), atLeast(39), atLeast(32)),
  )

  if (atLeast(36)) checkResourcelessGroups(groups, sameSubtree)
  else checkOrphans(groups)
  if (atLeast(22)) checkConflicts(groups)
  if (groupPolicy === undefined && groups.filter((g) => g.suffix !== '').length > 1) {
    throw new PlacementQueryError(
      'The "group_policy" parameter is required when specifying more than one "resources{N}" parameter.',
    )
  }

  groups.sort((a, b) => (a.suffix === '' ? -1 : b.suffix === '' ? 1 : 0))
  return {
    groups,
    ...(groupPolicy === undefined ? {} : { groupPolicy }),
    ...(limitValue === undefined ? {} : { limit: Number(limitValue) }),
    rootRequired,
    sameSubtree,
    randomize: options.randomize ?? false,
    nestedAware: atLeast(29),
  }
}

function invalid(detail: string): PlacementQueryError {
  return new PlacementQueryError(`Invalid query string parameters: ${detail}`)
}

function toExpression(traits: ParsedTraits): TraitExpression {
  const allOf = new Set<string>()
  const anyOf: string[][] = []
  for (const set of traits.anyOf) {
    if (set.length === 1) allOf.add(set[0]!)
    else anyOf.push(set)
  }
  return { allOf: [...allOf], forbidden: traits.forbidden, anyOf }
}

function buildGroup(
  suffix: string,
  params: GroupParams,
  allowForbiddenTraits: boolean,
  allowAnyOfTraits: boolean,
  allowForbiddenAggregates: boolean,
): RequestGroup {
  const anyOf: string[][] = []
  const forbidden = new Set<string>()
  for (const value of params.requiredValues) {
    const parsed = parseTraits(value, allowForbiddenTraits, allowAnyOfTraits)
    anyOf.push(...parsed.anyOf)
    parsed.forbidden.forEach((name) => forbidden.add(name))
  }
  const aggregateSets: string[][] = []
  const forbiddenAggregates = new Set<string>()
  for (const value of params.memberOfValues) {
    const parsed = parseMemberOf(value)
    if (parsed.anyOf.length > 0) aggregateSets.push(parsed.anyOf)
    if (parsed.forbidden.length > 0) {
      if (!allowForbiddenAggregates) {
        throw new PlacementQueryError(
          `Forbidden member_of${suffix} parameters are not supported in the specified microversion`,
        )
      }
      parsed.forbidden.forEach((uuid) => forbiddenAggregates.add(uuid))
    }
  }
  return {
    suffix,
    resources: params.resources ?? new Map(),
    required: toExpression({ anyOf, forbidden: [...forbidden] }),
    memberOf: { anyOf: aggregateSets, forbidden: [...forbiddenAggregates] },
    ...(params.inTree === undefined ? {} : { inTree: params.inTree }),
  }
}

/** `root_required` (1.35): once at most, plain and `!` traits only. */
function parseRootRequired(values: readonly string[] | undefined): TraitExpression {
  if (values === undefined) return { allOf: [], forbidden: [], anyOf: [] }
  if (values.length > 1) {
    throw new PlacementQueryError(
      "Query parameter 'root_required' may be specified only once.",
      'placement.query.duplicate_key',
    )
  }
  const expression = toExpression(parseTraits(values[0]!, true, false))
  const conflicts = expression.allOf.filter((name) => expression.forbidden.includes(name))
  if (conflicts.length > 0) {
    throw new PlacementQueryError(
      `Conflicting required and forbidden traits found in root_required: ${conflicts.join(', ')}`,
      'placement.query.bad_value',
    )
  }
  return expression
}

const pyList = (items: readonly string[]): string => `[${items.map((s) => `'${s}'`).join(', ')}]`

/** From 1.36: a group may lack resources only if it is named in `same_subtree`, and one group must have some. */
function checkResourcelessGroups(
  groups: readonly RequestGroup[],
  sameSubtree: readonly (readonly string[])[],
): void {
  const resourceless = groups.filter((g) => g.resources.size === 0).map((g) => g.suffix)
  if (resourceless.length === groups.length) {
    throw new PlacementQueryError(
      'There must be at least one resources or resources[$S] parameter.',
      'placement.query.missing_value',
    )
  }
  const inSubtree = new Set(sameSubtree.flat())
  const loose = resourceless.filter((suffix) => !inSubtree.has(suffix))
  if (loose.length > 0) {
    throw new PlacementQueryError(
      'Resourceless suffixed group request should be specified in `same_subtree` query param: ' +
        `bad group(s) - ${pyList(loose)}.`,
      'placement.query.bad_value',
    )
  }
  const known = new Set(groups.map((g) => g.suffix))
  const unknown = [...inSubtree].filter((suffix) => !known.has(suffix))
  if (unknown.length > 0) {
    throw new PlacementQueryError(
      `Real suffixes should be specified in \`same_subtree\`: ${pyList(unknown)} not found in ` +
        `${pyList([...known])}.`,
      'placement.query.bad_value',
    )
  }
}

/** Before 1.36: every group needs resources, and traits or aggregates without resources are "orphaned". */
function checkOrphans(groups: readonly RequestGroup[]): void {
  const withoutResources = groups.filter((g) => g.resources.size === 0)
  const orphanedTraits = withoutResources
    .filter((g) => g.required.allOf.length > 0 || g.required.anyOf.length > 0)
    .map((g) => `required${g.suffix}`)
  if (orphanedTraits.length > 0) {
    throw new PlacementQueryError(
      'All traits parameters must be associated with resources.  ' +
        `Found the following orphaned traits keys: ${orphanedTraits.join(', ')}`,
    )
  }
  const orphanedAggregates = withoutResources
    .filter((g) => g.memberOf.anyOf.length > 0 || g.memberOf.forbidden.length > 0)
    .map((g) => `member_of${g.suffix}`)
  if (orphanedAggregates.length > 0) {
    throw new PlacementQueryError(
      'All member_of parameters must be associated with resources. ' +
        `Found the following orphaned member_of keys: ${orphanedAggregates.join(', ')}`,
    )
  }
  if (withoutResources.length > 0) throw new PlacementQueryError('All request groups must specify resources.')
  if (groups.length === 0) {
    throw new PlacementQueryError('At least one request group (`resources` or `resources{$S}`) is required.')
  }
}

/** From 1.22: a required trait (or every trait of an `in:` set) may not also be forbidden in the same group. */
function checkConflicts(groups: readonly RequestGroup[]): void {
  const conflicts: string[] = []
  for (const group of groups) {
    const forbidden = new Set(group.required.forbidden)
    const sets = [...group.required.allOf.map((name) => [name]), ...group.required.anyOf]
    for (const set of sets) {
      if (set.every((name) => forbidden.has(name))) {
        conflicts.push(`required${group.suffix}: (${[...set].sort().join(', ')})`)
      }
    }
  }
  if (conflicts.length > 0) {
    throw new PlacementQueryError(
      `Conflicting required and forbidden traits found in the following traits keys: ${conflicts.sort().join(', ')}`,
    )
  }
}
