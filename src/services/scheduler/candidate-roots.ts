import type { CandidatesAnswer } from '../placement/client.js'
import type { AllocationRequest } from './selection.js'

/** A sharing provider (e.g. shared storage) is a root of its own, but not a host. */
const SHARING_TRAIT = 'MISC_SHARES_VIA_AGGREGATE'

/** The root providers (compute nodes) an allocation request takes from; sharing providers left out. */
export function hostRootsOf(request: AllocationRequest, answer: CandidatesAnswer): string[] {
  const providers = Object.keys(request.allocations)
  if (providers.length === 1) {
    // The common case: everything from one provider.
    const rp = providers[0]!
    const root = answer.provider_summaries[rp]?.root_provider_uuid ?? rp
    return answer.provider_summaries[root]?.traits.includes(SHARING_TRAIT) === true ? [] : [root]
  }
  const roots = new Set<string>()
  for (const rp of Object.keys(request.allocations)) {
    const summary = answer.provider_summaries[rp]
    const root = summary?.root_provider_uuid ?? rp
    const rootSummary = answer.provider_summaries[root]
    if (rootSummary?.traits.includes(SHARING_TRAIT) === true) continue
    roots.add(root)
  }
  return [...roots]
}

/**
 * The allocation requests of each compute node (root provider), in placement's order: Nova's
 * alloc_reqs_by_rp_uuid, from which a host's first request is the one claimed.
 */
export function requestsByRoot(answer: CandidatesAnswer): Map<string, AllocationRequest[]> {
  const byRoot = new Map<string, AllocationRequest[]>()
  for (const request of answer.allocation_requests) {
    for (const root of hostRootsOf(request, answer)) {
      const list = byRoot.get(root) ?? []
      list.push(request)
      byRoot.set(root, list)
    }
  }
  return byRoot
}
