// GET /allocation_candidates as a pure function over an in-memory snapshot of the provider trees.
//
// 1. Per request group, one pass over the providers finds those that could serve it, bucketed by the tree
//    (anchor root) they can serve; a group with no provider anywhere ends the search.
// 2. The trees present in every group's buckets are visited in order (root name, then root uuid). Inside a
//    tree the unsuffixed group's ways of spreading over the tree are expanded, then GroupCombiner picks one
//    option per group, pruning on isolate and on capacity shared by several groups.
// 3. Without randomize the search stops as soon as `limit` requests exist; with it, every request is built,
//    shuffled, then cut to `limit`.
//
// Where this knowingly differs from upstream placement (which orders by whatever the database returns):
// - the order is deterministic (trees by root name then uuid; inside a tree by the providers' uuids);
// - summaries also cover the trees of providers that only appear in `mappings` (resourceless groups);
// - `in_tree` also restricts resourceless groups (upstream's resourceless query ignores it).
import { GroupCombiner, type CombineRules } from './combine-groups.js'
import { compareOptions, type GroupOption } from './group-option.js'
import { granularOptionsByAnchor, unsuffixedSourcesByAnchor, type ClassSources } from './group-providers.js'
import type {
  AllocationRequest,
  CandidateOptions,
  CandidateRequest,
  CandidateResult,
  PlacementSnapshot,
  RequestGroup,
} from './model.js'
import { SearchContext } from './search-context.js'
import { SnapshotIndex } from './snapshot-index.js'
import { unsuffixedOptions } from './unsuffixed-options.js'

type GroupBuckets =
  | { readonly group: RequestGroup; readonly kind: 'granular'; readonly byAnchor: Map<string, GroupOption[]> }
  | {
      readonly group: RequestGroup
      readonly kind: 'unsuffixed'
      readonly byAnchor: Map<string, ClassSources>
    }

const empty = (): CandidateResult => ({ allocationRequests: [], summaryProviders: [] })

export function computeCandidates(
  snapshot: PlacementSnapshot,
  request: CandidateRequest,
  options: CandidateOptions = {},
): CandidateResult {
  const index = new SnapshotIndex(snapshot)
  const ctx = new SearchContext(index, request.rootRequired)
  // The parser never produces an unsuffixed group without resources; one built by hand is ignored.
  const groups = request.groups.filter((group) => group.suffix !== '' || group.resources.size > 0)
  if (groups.length === 0) return empty()

  const buckets: GroupBuckets[] = []
  for (const group of groups) {
    const bucket: GroupBuckets =
      group.suffix === ''
        ? { group, kind: 'unsuffixed', byAnchor: unsuffixedSourcesByAnchor(group, ctx) }
        : { group, kind: 'granular', byAnchor: granularOptionsByAnchor(group, ctx) }
    if (bucket.byAnchor.size === 0) return empty()
    buckets.push(bucket)
  }

  const nestedAware = request.nestedAware ?? true
  const suffixPosition = new Map(groups.map((group, i) => [group.suffix, i]))
  const rules: CombineRules = {
    isolate: request.groupPolicy === 'isolate',
    sameSubtree: request.sameSubtree.map((suffixes) =>
      suffixes.map((s) => suffixPosition.get(s)).filter((i): i is number => i !== undefined),
    ),
    nestedAware,
  }
  const combiner = new GroupCombiner(rules, index, ctx.slots.limit)
  const stopAt = request.randomize || request.limit === undefined ? Infinity : request.limit
  const results: AllocationRequest[] = []
  const seen = new Set<string>()
  const sink = (pick: readonly GroupOption[]): boolean => {
    const built = buildRequest(pick)
    // Only a pick made entirely of sharing providers can come up again under another tree.
    if (pick.every(isOnlySharing)) {
      const key = requestKey(built)
      if (seen.has(key)) return true
      seen.add(key)
    }
    results.push(built)
    return results.length < stopAt
  }

  for (const anchor of anchorsInOrder(buckets, index)) {
    const optionsByGroup = buckets.map((bucket) => optionsAt(bucket, anchor, ctx))
    if (optionsByGroup.some((list) => list.length === 0)) continue
    if (!combiner.combine(optionsByGroup, sink)) break
  }

  let chosen = results
  if (request.randomize) shuffle(chosen, options.random ?? Math.random)
  if (request.limit !== undefined && chosen.length > request.limit) chosen = chosen.slice(0, request.limit)
  return { allocationRequests: chosen, summaryProviders: summarise(chosen, index, nestedAware) }
}

function isOnlySharing(option: GroupOption): boolean {
  return option.onlySharing
}

/** Trees that have candidates for every group, by root name then root uuid. */
function anchorsInOrder(buckets: readonly GroupBuckets[], index: SnapshotIndex): string[] {
  const smallest = buckets.reduce((a, b) => (b.byAnchor.size < a.byAnchor.size ? b : a))
  const anchors = [...smallest.byAnchor.keys()].filter((anchor) =>
    buckets.every((bucket) => bucket.byAnchor.has(anchor)),
  )
  const nameOf = (uuid: string): string => index.provider(uuid)?.name ?? ''
  return anchors
    .map((uuid) => ({ uuid, name: nameOf(uuid) }))
    .sort((a, b) => (a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.uuid < b.uuid ? -1 : 1))
    .map((entry) => entry.uuid)
}

function optionsAt(bucket: GroupBuckets, anchor: string, ctx: SearchContext): readonly GroupOption[] {
  if (bucket.kind === 'unsuffixed') return unsuffixedOptions(bucket.group, bucket.byAnchor.get(anchor)!, ctx)
  const list = bucket.byAnchor.get(anchor)!
  return list.length > 1 ? list.sort(compareOptions) : list
}

function buildRequest(pick: readonly GroupOption[]): AllocationRequest {
  const allocations = new Map<string, ReadonlyMap<string, number>>()
  const mappings = new Map<string, readonly string[]>()
  for (const option of pick) {
    for (const { uuid, byClass } of option.contributions) {
      const earlier = allocations.get(uuid)
      if (earlier === undefined) {
        allocations.set(uuid, byClass)
        continue
      }
      // Several groups take from this provider: a fresh map with the amounts added up.
      const merged = new Map(earlier)
      for (const [resourceClass, amount] of byClass) {
        merged.set(resourceClass, (merged.get(resourceClass) ?? 0) + amount)
      }
      allocations.set(uuid, merged)
    }
    mappings.set(option.suffix, option.uuids)
  }
  return { allocations, mappings }
}

/** Identity of a request: its allocations and its mappings, independent of insertion order. */
export function requestKey(request: AllocationRequest): string {
  const allocations = [...request.allocations]
    .map(
      ([uuid, byClass]) =>
        `${uuid}:${[...byClass]
          .map(([rc, n]) => `${rc}=${n}`)
          .sort()
          .join(',')}`,
    )
    .sort()
  const mappings = [...request.mappings]
    .map(([suffix, uuids]) => `${suffix}:${[...uuids].sort().join(',')}`)
    .sort()
  return `${allocations.join(';')}|${mappings.join(';')}`
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = items[i]!
    items[i] = items[j]!
    items[j] = tmp
  }
}

/**
 * Whole trees of every provider a request uses (placement ≥ 1.29 summarises trees). Below 1.29 only the
 * providers that give resources.
 */
function summarise(
  requests: readonly AllocationRequest[],
  index: SnapshotIndex,
  nestedAware: boolean,
): string[] {
  if (!nestedAware) {
    const providers = new Set<string>()
    for (const request of requests) for (const uuid of request.allocations.keys()) providers.add(uuid)
    return [...providers]
  }
  const roots = new Set<string>()
  const addRootOf = (uuid: string): void => {
    const root = index.provider(uuid)?.rootUuid
    if (root !== undefined) roots.add(root)
  }
  for (const request of requests) {
    for (const uuid of request.allocations.keys()) addRootOf(uuid)
    for (const uuids of request.mappings.values()) uuids.forEach(addRootOf)
  }
  return [...roots].flatMap((root) => index.treeMembers(root).map((p) => p.uuid))
}
