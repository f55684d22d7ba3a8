// First pass over the snapshot for one request group: which providers could serve it, bucketed by the tree
// (anchor root) whose allocation requests they may take part in. A sharing provider is bucketed under its own
// tree and under every tree it serves through an aggregate.
import {
  inForbiddenAggregate,
  meetsRequiredAggregates,
  providerMatchesAggregates,
} from './aggregate-match.js'
import { canAllocate } from './capacity.js'
import { GroupOption } from './group-option.js'
import type { ProviderSnapshot, RequestGroup } from './model.js'
import type { SearchContext } from './search-context.js'
import type { Take } from './slot-table.js'
import { hasAnyTrait, providerMatchesTraits } from './trait-match.js'

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

/**
 * A granular group (or a resourceless one): each provider that alone has every resource of the group and itself
 * satisfies the group's traits and `member_of` is one option.
 */
export function granularOptionsByAnchor(group: RequestGroup, ctx: SearchContext): Map<string, GroupOption[]> {
  const byAnchor = new Map<string, GroupOption[]>()
  const inTreeRoot = ctx.inTreeRoot(group.inTree)
  const resources = [...group.resources]
  for (const provider of ctx.index.providers()) {
    if (inTreeRoot !== undefined && provider.rootUuid !== inTreeRoot) continue
    if (!providerMatchesTraits(provider.traits, group.required)) continue
    if (!providerMatchesAggregates(provider.aggregates, group.memberOf)) continue
    const takes: Take[] = []
    for (const [resourceClass, amount] of resources) {
      const inventory = provider.inventories.get(resourceClass)
      if (inventory === undefined || !canAllocate(inventory, amount)) break
      takes.push(ctx.slots.take(provider, resourceClass, inventory, amount))
    }
    if (takes.length !== resources.length) continue
    const sharing = ctx.index.isSharing(provider)
    const option = new GroupOption(group.suffix, true, [provider], takes, sharing)
    if (ctx.rootAllowed(provider.rootUuid)) pushTo(byAnchor, provider.rootUuid, option)
    if (sharing) {
      for (const anchor of ctx.index.foreignAnchorsOf(provider)) {
        if (ctx.rootAllowed(anchor)) pushTo(byAnchor, anchor, option)
      }
    }
  }
  return byAnchor
}

/** For the unsuffixed group in one tree: per requested class (in request order), the providers that can give it. */
export type ClassSources = ProviderSnapshot[][]

/**
 * The unsuffixed group: per tree and per class, the providers that can give that class on their own. Which
 * combination is valid (traits of the union) is decided later, per tree, by `unsuffixedOptions`.
 *
 * `member_of` follows upstream: a provider of the tree qualifies if it, or its tree's root, meets the
 * expression, and neither is in a forbidden aggregate. A sharing provider serving another tree must meet the
 * positive expression itself; neither it nor the served root may be in a forbidden aggregate. With `in_tree`
 * only providers of that tree are used, so no sharing provider from outside it.
 */
export function unsuffixedSourcesByAnchor(
  group: RequestGroup,
  ctx: SearchContext,
): Map<string, ClassSources> {
  const byAnchor = new Map<string, ClassSources>()
  const inTreeRoot = ctx.inTreeRoot(group.inTree)
  const resources = [...group.resources]
  const { memberOf, required } = group
  const filtersAggregates = memberOf.anyOf.length > 0 || memberOf.forbidden.length > 0
  const rootAggregates = (rootUuid: string): ReadonlySet<string> =>
    ctx.index.provider(rootUuid)?.aggregates ?? new Set<string>()
  const add = (anchor: string, provider: ProviderSnapshot, classes: readonly number[]): void => {
    let sources = byAnchor.get(anchor)
    if (sources === undefined) byAnchor.set(anchor, (sources = resources.map(() => [])))
    for (const i of classes) sources[i]!.push(provider)
  }

  for (const provider of ctx.index.providers()) {
    if (inTreeRoot !== undefined && provider.rootUuid !== inTreeRoot) continue
    // A provider with a forbidden trait may not contribute to the group at all.
    if (hasAnyTrait(provider.traits, required.forbidden)) continue
    const classes: number[] = []
    for (let i = 0; i < resources.length; i++) {
      const [resourceClass, amount] = resources[i]!
      const inventory = provider.inventories.get(resourceClass)
      if (inventory !== undefined && canAllocate(inventory, amount)) classes.push(i)
    }
    if (classes.length === 0) continue

    const ownRoot = provider.rootUuid
    if (ctx.rootAllowed(ownRoot)) {
      if (!filtersAggregates) add(ownRoot, provider, classes)
      else {
        const rootAggs = rootAggregates(ownRoot)
        const positive =
          meetsRequiredAggregates(provider.aggregates, memberOf) ||
          meetsRequiredAggregates(rootAggs, memberOf)
        const forbidden =
          inForbiddenAggregate(provider.aggregates, memberOf) || inForbiddenAggregate(rootAggs, memberOf)
        if (positive && !forbidden) add(ownRoot, provider, classes)
      }
    }
    if (inTreeRoot !== undefined || !ctx.index.isSharing(provider)) continue
    if (!providerMatchesAggregates(provider.aggregates, memberOf)) continue
    for (const anchor of ctx.index.foreignAnchorsOf(provider)) {
      if (!ctx.rootAllowed(anchor) || inForbiddenAggregate(rootAggregates(anchor), memberOf)) continue
      add(anchor, provider, classes)
    }
  }
  // A tree is only useful if every class has a source in it.
  for (const [anchor, sources] of byAnchor) {
    if (sources.some((list) => list.length === 0)) byAnchor.delete(anchor)
  }
  return byAnchor
}
