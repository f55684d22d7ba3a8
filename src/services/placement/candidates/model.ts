// The in-memory model that allocation candidates are computed over: a snapshot of the provider trees
// that might serve a request (loaded from the database by the caller) and the parsed query.

/** One resource class's inventory on one provider, with what is already allocated from it. */
export interface InventorySnapshot {
  readonly total: number
  readonly reserved: number
  readonly minUnit: number
  readonly maxUnit: number
  readonly stepSize: number
  readonly allocationRatio: number
  /** Sum of current allocations of this class against this provider. */
  readonly used: number
}

export interface ProviderSnapshot {
  readonly uuid: string
  readonly name: string
  readonly generation: number
  /** null for a root provider. */
  readonly parentUuid: string | null
  readonly rootUuid: string
  /** By resource class name. */
  readonly inventories: ReadonlyMap<string, InventorySnapshot>
  readonly traits: ReadonlySet<string>
  /** Aggregate uuids the provider itself is a member of. */
  readonly aggregates: ReadonlySet<string>
}

/** Every provider of every tree the request may use, by uuid (whole trees: parents and roots are present). */
export interface PlacementSnapshot {
  readonly providers: ReadonlyMap<string, ProviderSnapshot>
}

/**
 * A trait expression as placement's `required` (and `root_required`) parameters express it:
 * every `allOf` trait present, none of `forbidden`, and for each `anyOf` set at least one present.
 */
export interface TraitExpression {
  readonly allOf: readonly string[]
  readonly forbidden: readonly string[]
  readonly anyOf: readonly (readonly string[])[]
}

/**
 * `member_of`: the provider must be in at least one aggregate of each `anyOf` set
 * (each repeated `member_of=in:a,b` parameter is one set) and in none of `forbidden` (`member_of=!in:…`).
 */
export interface AggregateExpression {
  readonly anyOf: readonly (readonly string[])[]
  readonly forbidden: readonly string[]
}

/** One request group: the unsuffixed one (suffix '') or a granular one (`resources1`, `resources_NET`, …). */
export interface RequestGroup {
  readonly suffix: string
  /** Resource class → amount; may be empty for a resourceless granular group (1.36). */
  readonly resources: ReadonlyMap<string, number>
  readonly required: TraitExpression
  readonly memberOf: AggregateExpression
  /** `in_tree[suffix]`: only providers in the tree of this provider uuid. */
  readonly inTree?: string
}

export interface CandidateRequest {
  readonly groups: readonly RequestGroup[]
  /** Required when more than one granular group is present; 'isolate' = granular groups on distinct providers. */
  readonly groupPolicy?: 'none' | 'isolate'
  /** At most this many allocation requests. */
  readonly limit?: number
  /** `root_required`: traits of the root provider of every candidate tree. */
  readonly rootRequired: TraitExpression
  /** `same_subtree`: each entry lists suffixes whose providers must share one subtree. */
  readonly sameSubtree: readonly (readonly string[])[]
  /** Shuffle before applying `limit` ([placement] randomize_allocation_candidates). */
  readonly randomize: boolean
  /**
   * False below microversion 1.29: the caller cannot see trees, so no allocation request may take from more
   * than one provider of the same tree, and only providers that give resources are summarised. Default true.
   */
  readonly nestedAware?: boolean
}

/** Knobs of `computeCandidates` that are not part of the request. */
export interface CandidateOptions {
  /** Source of randomness for `randomize` (defaults to Math.random); tests pass a seeded one. */
  readonly random?: () => number
}

/** The trait that marks a provider whose inventory serves every tree sharing an aggregate with it. */
export const SHARING_TRAIT = 'MISC_SHARES_VIA_AGGREGATE'

export interface AllocationRequest {
  /** Provider uuid → resource class → amount (only providers that contribute resources). */
  readonly allocations: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** Group suffix → the provider uuids that satisfied that group (1.34 `mappings`). */
  readonly mappings: ReadonlyMap<string, readonly string[]>
}

export interface CandidateResult {
  readonly allocationRequests: readonly AllocationRequest[]
  /** Uuids of the providers to summarise: every provider of every tree used by an allocation request. */
  readonly summaryProviders: readonly string[]
}

/** Capacity of an inventory: (total − reserved) × allocation_ratio, rounded down as placement does. */
export function capacityOf(inventory: InventorySnapshot): number {
  return Math.floor((inventory.total - inventory.reserved) * inventory.allocationRatio)
}
