import type { EliminationLog } from './elimination-log.js'
import type { FilterContext, HostFilter } from './filters/index.js'
import type { HostState, RequestSpec } from './host-state.js'

const lower = (names: readonly string[]) => new Set(names.map((n) => n.toLowerCase()))

/**
 * Nova's HostManager.get_filtered_hosts: drops ignore_hosts, keeps only force_hosts / force_nodes (and then,
 * unless the `_nova_check_type` hint is given, skips the filters as Nova does), then runs every filter in
 * order; a filter marked runOncePerRequest runs only for the first instance (index 0), since the hosts it
 * passed are what later instances start from. Stops once no host is left. Every removal is logged.
 */
export function filterHosts(
  hosts: readonly HostState[],
  spec: RequestSpec,
  filters: readonly HostFilter[],
  ctx: FilterContext,
  index: number,
  log: EliminationLog,
): HostState[] {
  let left = [...hosts]
  const keep = (step: string, reason: string, passes: (h: HostState) => boolean) => {
    left = left.filter((h) => {
      if (passes(h)) return true
      log.record(step, reason, h.host)
      return false
    })
  }
  if (spec.ignoreHosts.length > 0) {
    const ignored = lower(spec.ignoreHosts)
    keep('ignore_hosts', 'ignored by the request', (h) => !ignored.has(h.host.toLowerCase()))
  }
  const forced = spec.forceHosts.length > 0 || spec.forceNodes.length > 0
  if (spec.forceHosts.length > 0) {
    const wanted = lower(spec.forceHosts)
    keep('force_hosts', 'not a forced host', (h) => wanted.has(h.host.toLowerCase()))
  }
  if (spec.forceNodes.length > 0) {
    const wanted = lower(spec.forceNodes)
    keep('force_nodes', 'not a forced node', (h) => wanted.has(h.nodename.toLowerCase()))
  }
  if (forced && spec.schedulerHints._nova_check_type === undefined) return left

  for (const filter of filters) {
    if (left.length === 0) break
    if (index > 0 && filter.runOncePerRequest === true) continue
    left = left.filter((h) => {
      const reason = filter.check(h, spec, ctx)
      if (reason === undefined) return true
      log.record(filter.name, reason, h.host)
      return false
    })
  }
  return left
}
