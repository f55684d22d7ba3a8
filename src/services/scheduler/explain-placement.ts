// Why placement returned fewer hosts than there are: asked only once a request has failed, by querying
// placement again one requirement at a time.
import type { Logger } from '../../common/logger.js'
import type { CandidatesAnswer } from '../placement/client.js'
import { hostRootsOf } from './candidate-roots.js'
import { memberOfValues, resourceList, rootRequiredValue, traitList } from './placement-query.js'
import type { PlacementConstraint } from './request-filters/index.js'
import type { ResourceRequest } from './resource-request.js'
import type { SchedulerPlacement } from './selection.js'

/** One reason placement left hosts out: the root provider uuids it left out (plus `unnamed` it cannot name). */
export interface PlacementElimination {
  readonly reason: string
  readonly roots: readonly string[]
  readonly unnamed: number
  readonly detail?: string
}

export interface ExplainPlacementInput {
  readonly placement: SchedulerPlacement
  readonly request: ResourceRequest
  readonly constraints: readonly PlacementConstraint[]
  /** The compute nodes placement did return for the real query. */
  readonly candidates: ReadonlySet<string>
  /** The real query's limit, when it was reached. */
  readonly limitReached?: number
  /** All compute nodes (HostStateSource.countHosts). */
  readonly total: number
  readonly logger: Logger
}

interface Answered {
  readonly roots: Set<string>
  readonly answer: CandidatesAnswer
}

async function ask(placement: SchedulerPlacement, params: URLSearchParams): Promise<Answered> {
  const answer = await placement.allocationCandidates(params)
  return { roots: new Set(answer.allocation_requests.flatMap((r) => hostRootsOf(r, answer))), answer }
}

/** Free amounts of `rc` per root provider (the most free on any provider of the tree). */
function freeByRoot(answer: CandidatesAnswer, rc: string): Map<string, number> {
  const free = new Map<string, number>()
  for (const summary of Object.values(answer.provider_summaries)) {
    const r = summary.resources[rc]
    if (r === undefined) continue
    const root = summary.root_provider_uuid
    free.set(root, Math.max(free.get(root) ?? 0, r.capacity - r.used))
  }
  return free
}

/**
 * A funnel over the hosts placement knows: first those with nothing free of any requested class, then each
 * request filter constraint and each trait of the unsuffixed group (asked with each requested class at 1 unit,
 * so a constraint is judged apart from capacity), then each resource amount of the unsuffixed group (with
 * the largest free amount among the hosts still in), then each suffixed group on its own; whatever is left
 * and yet was not a candidate failed the request as a whole (or the result limit). A host is counted at the
 * first step it fails.
 */
export async function explainPlacement(input: ExplainPlacementInput): Promise<PlacementElimination[]> {
  const { placement, request, constraints } = input
  const classes = [...new Set(request.groups.flatMap((g) => [...g.resources.keys()]))].sort()
  const out: PlacementElimination[] = []
  const impossible = constraints.find((c) => c.matchesNothing === true)
  if (impossible !== undefined || classes.length === 0) {
    const reason = impossible?.failure ?? 'not asked for any resources'
    out.push({ reason, roots: [], unnamed: input.total, detail: impossible?.requires })
    return out
  }

  const anyFree = new Map<string, Answered>()
  for (const rc of classes)
    anyFree.set(rc, await ask(placement, new URLSearchParams({ resources: `${rc}:1` })))
  let remaining = new Set([...anyFree.values()].flatMap((a) => [...a.roots]))
  const invisible = input.total - remaining.size
  if (invisible > 0)
    out.push({ reason: `have nothing free of ${classes.join(', ')}`, roots: [], unnamed: invisible })

  const narrow = (reason: string, passing: ReadonlySet<string>, detail?: string) => {
    const failed = [...remaining].filter((r) => !passing.has(r))
    if (failed.length > 0)
      out.push({ reason, roots: failed, unnamed: 0, ...(detail === undefined ? {} : { detail }) })
    remaining = new Set([...remaining].filter((r) => passing.has(r)))
  }
  /** Roots passing `extra` with at least one unit of some requested class. */
  const passingWith = async (extra: (params: URLSearchParams) => void): Promise<Set<string>> => {
    const passing = new Set<string>()
    for (const rc of classes) {
      const params = new URLSearchParams({ resources: `${rc}:1` })
      extra(params)
      for (const root of (await ask(placement, params)).roots) passing.add(root)
    }
    return passing
  }

  for (const c of constraints) {
    if (remaining.size === 0) break
    const passing = await passingWith((params) => {
      for (const value of memberOfValues([c])) params.append('member_of', value)
      const root = rootRequiredValue([c])
      if (root !== undefined) params.append('root_required', root)
    })
    narrow(c.failure, passing, `${c.filter}: ${c.requires}`)
  }
  const unsuffixed = request.groups.find((g) => g.suffix === '')
  const traitSteps = [
    ...[...(unsuffixed?.required ?? [])]
      .sort()
      .map((t) => ({ reason: `lack trait ${t}`, value: traitList([t], []) })),
    ...[...(unsuffixed?.forbidden ?? [])]
      .sort()
      .map((t) => ({ reason: `have trait ${t}`, value: traitList([], [t]) })),
  ]
  for (const step of traitSteps) {
    if (remaining.size === 0) break
    narrow(step.reason, await passingWith((params) => params.append('required', step.value)))
  }
  for (const [rc, amount] of [...(unsuffixed?.resources ?? [])].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (remaining.size === 0) break
    const free = freeByRoot(anyFree.get(rc)!.answer, rc)
    const largest = Math.max(0, ...[...remaining].map((r) => free.get(r) ?? 0))
    const enough =
      amount === 1
        ? anyFree.get(rc)!.roots
        : (await ask(placement, new URLSearchParams({ resources: `${rc}:${amount}` }))).roots
    narrow(`lack ${rc} ${amount} (largest free ${largest})`, enough)
  }
  for (const group of request.groups.filter((g) => g.suffix !== '' && g.resources.size > 0)) {
    if (remaining.size === 0) break
    const params = new URLSearchParams({ resources: resourceList(group.resources) })
    if (group.required.size + group.forbidden.size > 0)
      params.append('required', traitList(group.required, group.forbidden))
    narrow(
      `cannot satisfy request group ${group.suffix} (${resourceList(group.resources)})`,
      (await ask(placement, params)).roots,
    )
  }
  narrow(
    input.limitReached === undefined
      ? 'do not fit the request as a whole'
      : `beyond the ${input.limitReached} candidates placement was asked for`,
    input.candidates,
  )
  return out
}
