// Second pass, inside one tree: pick one option per request group so that the picks together respect
// group_policy, the capacity of providers several groups take from, same_subtree and (below 1.29) the one
// provider per tree rule. Depth first, in request-group order, pruning as soon as a partial pick fails: isolate
// and capacity when a group is added, a same_subtree entry once its last group is picked.
import type { GroupOption } from './group-option.js'
import type { ProviderSnapshot } from './model.js'
import type { SnapshotIndex } from './snapshot-index.js'

export interface CombineRules {
  readonly isolate: boolean
  /** Per same_subtree entry: the positions (in the group order) of the groups it names. */
  readonly sameSubtree: readonly (readonly number[])[]
  readonly nestedAware: boolean
}

/** Receives each valid pick (one option per group, in group order); returns false to stop the search. */
export type PickSink = (pick: readonly GroupOption[]) => boolean

export class GroupCombiner {
  readonly #rules: CombineRules
  readonly #index: SnapshotIndex
  /** Amount taken so far by the current partial pick, per slot. */
  readonly #taken: number[] = []
  readonly #limit: readonly number[]
  readonly #granularProviders = new Set<string>()
  /** same_subtree entries by the position of their last group: checked as soon as that group is picked. */
  readonly #subtreeChecksAt = new Map<number, (readonly number[])[]>()

  constructor(rules: CombineRules, index: SnapshotIndex, slotLimits: readonly number[]) {
    this.#rules = rules
    this.#index = index
    this.#limit = slotLimits
    for (const positions of rules.sameSubtree) {
      if (positions.length === 0) continue
      const last = Math.max(...positions)
      const list = this.#subtreeChecksAt.get(last)
      if (list === undefined) this.#subtreeChecksAt.set(last, [positions])
      else list.push(positions)
    }
  }

  /** Enumerates the picks of one tree; returns false when the sink asked to stop. */
  combine(optionsByGroup: readonly (readonly GroupOption[])[], sink: PickSink): boolean {
    return this.#visit(optionsByGroup, sink, [], 0)
  }

  #visit(
    optionsByGroup: readonly (readonly GroupOption[])[],
    sink: PickSink,
    pick: GroupOption[],
    g: number,
  ): boolean {
    if (g === optionsByGroup.length) {
      return this.#rules.nestedAware || oneProviderPerTree(pick) ? sink(pick) : true
    }
    const subtreeChecks = this.#subtreeChecksAt.get(g)
    for (const option of optionsByGroup[g]!) {
      if (!this.#enter(option)) continue
      pick.push(option)
      const goOn =
        subtreeChecks !== undefined && !this.#inSubtrees(pick, subtreeChecks)
          ? true
          : this.#visit(optionsByGroup, sink, pick, g + 1)
      pick.pop()
      this.#leave(option)
      if (!goOn) return false
    }
    return true
  }

  #enter(option: GroupOption): boolean {
    const isolated = this.#rules.isolate && option.granular
    if (isolated && this.#granularProviders.has(option.providers[0]!.uuid)) return false
    const taken = this.#taken
    const { takes } = option
    for (let i = 0; i < takes.length; i++) {
      const { slot, amount } = takes[i]!
      if ((taken[slot] ?? 0) + amount > this.#limit[slot]!) {
        for (let j = 0; j < i; j++) taken[takes[j]!.slot]! -= takes[j]!.amount
        return false
      }
      taken[slot] = (taken[slot] ?? 0) + amount
    }
    if (isolated) this.#granularProviders.add(option.providers[0]!.uuid)
    return true
  }

  #leave(option: GroupOption): void {
    for (const { slot, amount } of option.takes) this.#taken[slot]! -= amount
    if (this.#rules.isolate && option.granular) this.#granularProviders.delete(option.providers[0]!.uuid)
  }

  #inSubtrees(pick: readonly GroupOption[], entries: readonly (readonly number[])[]): boolean {
    for (const positions of entries) {
      const providers: ProviderSnapshot[] = []
      for (const g of positions) {
        for (const provider of pick[g]!.providers) if (!providers.includes(provider)) providers.push(provider)
      }
      if (!this.#inOneSubtree(providers)) return false
    }
    return true
  }

  /** Some provider of the list is an ancestor of (or equal to) all the others. */
  #inOneSubtree(providers: readonly ProviderSnapshot[]): boolean {
    if (providers.length <= 1) return true
    return providers.some((top) => providers.every((p) => this.#index.isAncestorOrSelf(top.uuid, p)))
  }
}

/** Below 1.29: the providers that give resources must all be in different trees. */
function oneProviderPerTree(pick: readonly GroupOption[]): boolean {
  const rootByProvider = new Map<string, string>()
  for (const option of pick) {
    for (const { provider } of option.takes) rootByProvider.set(provider.uuid, provider.rootUuid)
  }
  return new Set(rootByProvider.values()).size === rootByProvider.size
}
