// What one request group can be satisfied by inside one tree: the providers it maps to and what it takes.
import type { ProviderSnapshot } from './model.js'
import type { Take } from './slot-table.js'

export interface GroupOption {
  readonly suffix: string
  /** Granular groups take everything from their one provider; the unsuffixed group may spread over several. */
  readonly granular: boolean
  /** The providers the group maps to (1.34 `mappings`), sorted by uuid. */
  readonly providers: readonly ProviderSnapshot[]
  /** Their uuids, shared by every allocation request built from this option. */
  readonly uuids: readonly string[]
  /** Empty for a resourceless group. */
  readonly takes: readonly Take[]
  /** The takes per provider as allocation maps, shared by requests where no other group uses the provider. */
  readonly contributions: readonly Contribution[]
}

export interface Contribution {
  readonly uuid: string
  readonly byClass: ReadonlyMap<string, number>
}

/** Builds an option, precomputing what every allocation request made from it will reuse. */
export function makeOption(
  suffix: string,
  granular: boolean,
  providers: readonly ProviderSnapshot[],
  takes: readonly Take[],
): GroupOption {
  const byProvider = new Map<string, Map<string, number>>()
  for (const { provider, resourceClass, amount } of takes) {
    let byClass = byProvider.get(provider.uuid)
    if (byClass === undefined) byProvider.set(provider.uuid, (byClass = new Map()))
    byClass.set(resourceClass, amount)
  }
  const contributions = [...byProvider].map(([uuid, byClass]) => ({ uuid, byClass }))
  return { suffix, granular, providers, uuids: providers.map((p) => p.uuid), takes, contributions }
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
