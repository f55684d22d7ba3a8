// State shared by the steps of one computeCandidates call.
import type { TraitExpression } from './model.js'
import { SlotTable } from './slot-table.js'
import type { SnapshotIndex } from './snapshot-index.js'
import { isEmptyTraitExpression, providerMatchesTraits } from './trait-match.js'

export class SearchContext {
  readonly index: SnapshotIndex
  readonly slots = new SlotTable()
  readonly #rootRequired: TraitExpression
  readonly #rootAllowed = new Map<string, boolean>()

  constructor(index: SnapshotIndex, rootRequired: TraitExpression) {
    this.index = index
    this.#rootRequired = rootRequired
  }

  /** `root_required`: whether the tree rooted at `rootUuid` may anchor an allocation request. */
  rootAllowed(rootUuid: string): boolean {
    if (isEmptyTraitExpression(this.#rootRequired)) return true
    let allowed = this.#rootAllowed.get(rootUuid)
    if (allowed === undefined) {
      const root = this.index.provider(rootUuid)
      allowed = providerMatchesTraits(root?.traits ?? new Set(), this.#rootRequired)
      this.#rootAllowed.set(rootUuid, allowed)
    }
    return allowed
  }

  /** The root uuid `in_tree` names, '' when the provider is unknown (nothing matches), undefined if unset. */
  inTreeRoot(inTree: string | undefined): string | undefined {
    if (inTree === undefined) return undefined
    return this.index.provider(inTree)?.rootUuid ?? ''
  }
}
