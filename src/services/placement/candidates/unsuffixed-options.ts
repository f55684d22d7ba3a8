// The unsuffixed group inside one tree: every way of taking each requested class wholly from one provider,
// kept when the providers used together have the required traits.
import { compareOptions, GroupOption } from './group-option.js'
import type { ClassSources } from './group-providers.js'
import type { ProviderSnapshot, RequestGroup } from './model.js'
import type { SearchContext } from './search-context.js'
import type { Take } from './slot-table.js'
import { unionMeetsRequiredTraits } from './trait-match.js'

function byUuid(a: ProviderSnapshot, b: ProviderSnapshot): number {
  return a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0
}

export function unsuffixedOptions(
  group: RequestGroup,
  sources: ClassSources,
  ctx: SearchContext,
): GroupOption[] {
  const resources = [...group.resources]
  const lists = sources.map((list) => (list.length > 1 ? [...list].sort(byUuid) : list))
  const { required } = group
  const needsTraits = required.allOf.length > 0 || required.anyOf.length > 0
  if (needsTraits) {
    const everyone = new Set<ProviderSnapshot>()
    for (const list of lists) for (const provider of list) everyone.add(provider)
    if (
      !unionMeetsRequiredTraits(
        [...everyone].map((p) => p.traits),
        required,
      )
    )
      return []
  }

  // Odometer over the per-class lists: position[k] is the provider chosen for class k.
  const options: GroupOption[] = []
  const position = lists.map(() => 0)
  for (;;) {
    const providers: ProviderSnapshot[] = []
    const takes: Take[] = []
    for (let k = 0; k < lists.length; k++) {
      const provider = lists[k]![position[k]!]!
      if (!providers.includes(provider)) providers.push(provider)
      const [resourceClass, amount] = resources[k]!
      takes.push(ctx.slots.take(provider, resourceClass, provider.inventories.get(resourceClass)!, amount))
    }
    if (providers.length > 1) providers.sort(byUuid)
    if (
      !needsTraits ||
      unionMeetsRequiredTraits(
        providers.map((p) => p.traits),
        required,
      )
    ) {
      const onlySharing = providers.every((p) => ctx.index.isSharing(p))
      options.push(new GroupOption(group.suffix, false, providers, takes, onlySharing))
    }
    let k = lists.length - 1
    while (k >= 0 && position[k]! === lists[k]!.length - 1) position[k--] = 0
    if (k < 0) break
    position[k]!++
  }
  return options.length > 1 ? options.sort(compareOptions) : options
}
