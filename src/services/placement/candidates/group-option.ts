// What one request group can be satisfied by inside one tree: the providers it maps to and what it takes.
import type { ProviderSnapshot } from './model.js'
import type { Take } from './slot-table.js'

export interface Contribution {
  readonly uuid: string
  readonly byClass: ReadonlyMap<string, number>
}

export class GroupOption {
  readonly suffix: string
  /** Granular groups take everything from their one provider; the unsuffixed group may spread over several. */
  readonly granular: boolean
  /** The providers the group maps to (1.34 `mappings`), sorted by uuid. */
  readonly providers: readonly ProviderSnapshot[]
  /** Empty for a resourceless group. */
  readonly takes: readonly Take[]
  /** Only sharing providers: the same option can be used under several trees. */
  readonly onlySharing: boolean
  #uuids: readonly string[] | undefined
  #contributions: readonly Contribution[] | undefined

  constructor(
    suffix: string,
    granular: boolean,
    providers: readonly ProviderSnapshot[],
    takes: readonly Take[],
    onlySharing: boolean,
  ) {
    this.suffix = suffix
    this.granular = granular
    this.providers = providers
    this.takes = takes
    this.onlySharing = onlySharing
  }

  /** The providers' uuids, built on first use and shared by every allocation request made from this option. */
  get uuids(): readonly string[] {
    return (this.#uuids ??= this.providers.map((p) => p.uuid))
  }

  /** The takes per provider as allocation maps, shared by requests where no other group uses the provider. */
  get contributions(): readonly Contribution[] {
    if (this.#contributions === undefined) {
      const byProvider = new Map<string, Map<string, number>>()
      for (const { provider, resourceClass, amount } of this.takes) {
        let byClass = byProvider.get(provider.uuid)
        if (byClass === undefined) byProvider.set(provider.uuid, (byClass = new Map()))
        byClass.set(resourceClass, amount)
      }
      this.#contributions = [...byProvider].map(([uuid, byClass]) => ({ uuid, byClass }))
    }
    return this.#contributions
  }
}

/** Compares options by the uuids of their providers, the order candidates are listed in within a tree. */
export function compareOptions(a: GroupOption, b: GroupOption): number {
  const n = Math.min(a.providers.length, b.providers.length)
  for (let i = 0; i < n; i++) {
    const x = a.providers[i]!.uuid
    const y = b.providers[i]!.uuid
    if (x !== y) return x < y ? -1 : 1
  }
  if (a.providers.length !== b.providers.length) return a.providers.length - b.providers.length
  // Same providers (the unsuffixed group spread differently): order by which provider gives each class.
  for (let i = 0; i < a.takes.length && i < b.takes.length; i++) {
    const x = a.takes[i]!.provider.uuid
    const y = b.takes[i]!.provider.uuid
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}
