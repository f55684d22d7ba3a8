import type { FilterSchedulerSettings } from './settings.js'
import type { HostState, RequestSpec } from './host-state.js'
import { weighHosts, type HostWeigher } from './weighers/index.js'

export interface SortOptions {
  readonly hostSubsetSize: number
  readonly shuffleBestSameWeighedHosts: boolean
  readonly random: () => number
}

/** Fisher–Yates with the given random function. */
function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
}

/**
 * Nova's _get_sorted_hosts for hosts that passed the filters: weighed best first; with
 * shuffle_best_same_weighed_hosts the hosts sharing the best weight are shuffled; then one of the first
 * host_subset_size hosts is picked at random and put first, the others keep their order.
 */
export function sortHosts(
  hosts: readonly HostState[],
  spec: RequestSpec,
  weighers: readonly HostWeigher[],
  settings: FilterSchedulerSettings,
  options: SortOptions,
): HostState[] {
  if (hosts.length === 0) return []
  const weighed = weighHosts(hosts, spec, weighers, { settings })
  let order = weighed.map((w) => w.host)
  if (options.shuffleBestSameWeighedHosts) {
    const best = weighed.filter((w) => w.weight === weighed[0]!.weight).map((w) => w.host)
    shuffle(best, options.random)
    order = [...best, ...order.slice(best.length)]
  }
  const subset = Math.min(Math.max(1, options.hostSubsetSize), order.length)
  const chosen = order[Math.floor(options.random() * subset)]!
  return [chosen, ...order.filter((h) => h !== chosen)]
}
