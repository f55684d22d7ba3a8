// Lookups over a snapshot that the candidate search needs again and again: the members of each tree, the trees
// a sharing provider serves, and ancestry. Built once per computeCandidates call, each part only when first
// asked for.
import { SHARING_TRAIT, type PlacementSnapshot, type ProviderSnapshot } from './model.js'

export class SnapshotIndex {
  readonly #snapshot: PlacementSnapshot
  #treeMembers: Map<string, ProviderSnapshot[]> | undefined
  #foreignAnchors: Map<string, readonly string[]> | undefined

  constructor(snapshot: PlacementSnapshot) {
    this.#snapshot = snapshot
  }

  provider(uuid: string): ProviderSnapshot | undefined {
    return this.#snapshot.providers.get(uuid)
  }

  providers(): Iterable<ProviderSnapshot> {
    return this.#snapshot.providers.values()
  }

  /** Providers of the tree rooted at `rootUuid`, in snapshot order. */
  treeMembers(rootUuid: string): readonly ProviderSnapshot[] {
    if (this.#treeMembers === undefined) {
      const members = new Map<string, ProviderSnapshot[]>()
      for (const provider of this.#snapshot.providers.values()) {
        const list = members.get(provider.rootUuid)
        if (list === undefined) members.set(provider.rootUuid, [provider])
        else list.push(provider)
      }
      this.#treeMembers = members
    }
    return this.#treeMembers.get(rootUuid) ?? []
  }

  isSharing(provider: ProviderSnapshot): boolean {
    return provider.traits.has(SHARING_TRAIT)
  }

  /**
   * Roots of the other trees a sharing provider serves: every tree with at least one provider in an aggregate
   * of the sharing provider (not only the root: a NUMA node in the aggregate is enough, as upstream).
   */
  foreignAnchorsOf(sharing: ProviderSnapshot): readonly string[] {
    if (this.#foreignAnchors === undefined) this.#foreignAnchors = this.#buildForeignAnchors()
    return this.#foreignAnchors.get(sharing.uuid) ?? []
  }

  #buildForeignAnchors(): Map<string, readonly string[]> {
    const sharing = [...this.#snapshot.providers.values()].filter((p) => this.isSharing(p))
    const wanted = new Set<string>()
    for (const provider of sharing) for (const agg of provider.aggregates) wanted.add(agg)
    // Aggregate → roots of the trees that have a member in it, for the aggregates of sharing providers only.
    const rootsByAggregate = new Map<string, Set<string>>()
    if (wanted.size > 0) {
      for (const provider of this.#snapshot.providers.values()) {
        for (const agg of provider.aggregates) {
          if (!wanted.has(agg)) continue
          let roots = rootsByAggregate.get(agg)
          if (roots === undefined) rootsByAggregate.set(agg, (roots = new Set()))
          roots.add(provider.rootUuid)
        }
      }
    }
    const result = new Map<string, readonly string[]>()
    for (const provider of sharing) {
      const roots = new Set<string>()
      for (const agg of provider.aggregates) {
        for (const root of rootsByAggregate.get(agg) ?? []) if (root !== provider.rootUuid) roots.add(root)
      }
      result.set(provider.uuid, [...roots].sort())
    }
    return result
  }

  /** Whether `top` is `provider` or one of the providers above it. */
  isAncestorOrSelf(top: string, provider: ProviderSnapshot): boolean {
    let current: ProviderSnapshot | undefined = provider
    // Bounded by the number of providers, in case a malformed snapshot has a parent loop.
    for (let steps = 0; current !== undefined && steps <= this.#snapshot.providers.size; steps++) {
      if (current.uuid === top) return true
      if (current.parentUuid === null) return false
      current = this.#snapshot.providers.get(current.parentUuid)
    }
    return false
  }
}
