// nova-scheduler's select_destinations: request filters → placement → filters → weighers → claims.
import { Invalid } from '../../common/errors/index.js'
import { requestsByRoot } from './candidate-roots.js'
import { consumeFromRequest } from './consume.js'
import { EliminationLog } from './elimination-log.js'
import { explainPlacement } from './explain-placement.js'
import { filterHosts } from './filter-hosts.js'
import type { HostState, InstanceGroupSpec, RequestSpec } from './host-state.js'
import { noValidHost } from './no-valid-host.js'
import { placementQueryFor } from './placement-query.js'
import { runRequestFilters, type PlacementConstraint } from './request-filters/index.js'
import { resourceRequestFromSpec, type ResourceRequest } from './resource-request.js'
import type { AllocationRequest, InstanceSelection, Selection, SelectionDeps } from './selection.js'
import { sortHosts } from './sort-hosts.js'

const CLAIM_REASONS = {
  'no-capacity': 'had no room left when claimed',
  conflict: 'changed concurrently when claimed',
} as const

interface Claimed {
  readonly instanceUuid: string
  readonly host: HostState
  readonly allocationRequest: AllocationRequest
}

const selectionOf = (host: HostState, allocationRequest: AllocationRequest): Selection => ({
  host: host.host,
  nodename: host.nodename,
  computeNodeUuid: host.uuid,
  cellUuid: host.cellUuid,
  allocationRequest,
})

/** The group as the filters must see it: its members include every instance of this request. */
function groupWithMembers(group: InstanceGroupSpec, instanceUuids: readonly string[]): InstanceGroupSpec {
  const members = [...new Set([...group.members, ...instanceUuids])]
  // `hosts` stays the caller's array: the hosts chosen here are appended to it.
  return { uuid: group.uuid, policy: group.policy, rules: group.rules, hosts: group.hosts, members }
}

/**
 * Picks a host for each instance and claims its resources in placement (consumer = the instance uuid, owned by
 * the spec's project and user), Nova's SchedulerManager._schedule. The request filters add constraints to one
 * GET /allocation_candidates; the candidate compute nodes become HostStates; for each instance the filters run
 * (those marked runOncePerRequest for the first instance only) over the hosts left from the previous instance,
 * the weighers sort them, one of the best host_subset_size is taken, and the hosts are tried in that order until
 * placement accepts the claim. The chosen host's in-memory state is then consumed (and the host added to the
 * server group's hosts), so the next instance sees it. With `returnAlternates`, each instance also gets up to
 * max_attempts − 1 unclaimed alternates from the same cell that passed the filters.
 *
 * If an instance cannot be placed, every claim made earlier in this call is deleted and NoValidHost explains
 * which step removed how many hosts. Other errors (placement unreachable) also delete those claims first.
 */
export async function selectDestinations(
  deps: SelectionDeps,
  spec: RequestSpec,
  instanceUuids: readonly string[],
  returnAlternates: boolean,
): Promise<InstanceSelection[]> {
  if (instanceUuids.length === 0) throw new Invalid('select_destinations needs at least one instance uuid')
  const { settings, logger } = deps
  const random = deps.random ?? Math.random
  const request = resourceRequestFromSpec(spec)
  for (const ignored of request.ignored) logger.warn({ instance_uuid: spec.instanceUuid }, ignored)
  const constraints = await runRequestFilters(spec, {
    settings: settings.requestFilters,
    aggregates: deps.aggregates,
    logger,
  })
  const filterLog = new EliminationLog()
  let claimLog = new EliminationLog()
  const claimed: Claimed[] = []

  // The claims go first, so that placement is asked why with none of this request's allocations in it.
  const failure = async (candidates: ReadonlySet<string>, limitReached?: number) => {
    const placed = claimed.length
    await releaseClaims(deps, claimed.splice(0))
    return await explainFailure(
      deps,
      { request, constraints, candidates, limitReached },
      (total, placementLog) =>
        noValidHost({
          total,
          requested: instanceUuids.length,
          placed,
          logs: [placementLog, filterLog, claimLog],
        }),
    )
  }

  try {
    if (constraints.some((c) => c.matchesNothing === true)) throw await failure(new Set())
    const limit = settings.maxPlacementResults
    const answer = await deps.placement.allocationCandidates(
      placementQueryFor(request, constraints, { limit }),
    )
    const byRoot = requestsByRoot(answer)
    const limitReached = answer.allocation_requests.length >= limit ? limit : undefined
    const candidates = new Set(byRoot.keys())
    if (candidates.size === 0) throw await failure(candidates, limitReached)

    const states = await deps.hostStates.hostStates([...candidates])
    let hosts = states.filter((h) => candidates.has(h.uuid))
    const known = new Set(hosts.map((h) => h.uuid))
    const unknown = [...candidates].filter((uuid) => !known.has(uuid))
    filterLog.recordMany(
      'scheduler',
      'have no compute node record in an enabled cell',
      unknown.length,
      unknown,
    )

    const group =
      spec.instanceGroup === undefined ? undefined : groupWithMembers(spec.instanceGroup, instanceUuids)
    const specFor = (instanceUuid: string): RequestSpec => ({
      ...spec,
      instanceUuid,
      ...(group === undefined ? {} : { instanceGroup: group }),
    })
    const filterCtx = { settings: settings.filterScheduler }
    const sortOptions = {
      hostSubsetSize: settings.hostSubsetSize,
      shuffleBestSameWeighedHosts: settings.shuffleBestSameWeighedHosts,
      random,
    }

    for (const [index, instanceUuid] of instanceUuids.entries()) {
      const instanceSpec = specFor(instanceUuid)
      const passed = filterHosts(hosts, instanceSpec, deps.filters, filterCtx, index, filterLog)
      hosts = sortHosts(passed, instanceSpec, deps.weighers, settings.filterScheduler, sortOptions)
      if (logger.isLevelEnabled('debug'))
        logger.debug(
          { instance_uuid: instanceUuid, hosts: hosts.map((h) => h.host) },
          'filtered and weighed hosts',
        )
      claimLog = new EliminationLog()
      let chosen: Claimed | undefined
      for (const host of hosts) {
        const allocationRequest = byRoot.get(host.uuid)![0]!
        const outcome = await deps.placement.claim(instanceUuid, allocationRequest.allocations, {
          projectId: spec.projectId,
          userId: spec.userId,
        })
        if (outcome === 'claimed') {
          chosen = { instanceUuid, host, allocationRequest }
          break
        }
        claimLog.record('claim', CLAIM_REASONS[outcome], host.host)
      }
      if (chosen === undefined) throw await failure(candidates, limitReached)
      claimed.push(chosen)
      consumeFromRequest(chosen.host, instanceSpec, instanceUuid)
      logger.info({ instance_uuid: instanceUuid, host: chosen.host.host }, 'selected host')
    }

    const alternatesWanted = returnAlternates ? Math.max(0, settings.maxAttempts - 1) : 0
    if (alternatesWanted > 0 && instanceUuids.length > 1) {
      const last = specFor(instanceUuids.at(-1)!)
      const passed = filterHosts(
        hosts,
        last,
        deps.filters,
        filterCtx,
        instanceUuids.length - 1,
        new EliminationLog(),
      )
      hosts = sortHosts(passed, last, deps.weighers, settings.filterScheduler, sortOptions)
    }
    const claimedHosts = new Set(claimed.map((c) => c.host))
    return claimed.map((c) => ({
      instanceUuid: c.instanceUuid,
      ...selectionOf(c.host, c.allocationRequest),
      alternates: hosts
        .filter((h) => h.cellUuid === c.host.cellUuid && !claimedHosts.has(h))
        .slice(0, alternatesWanted)
        .map((h) => selectionOf(h, byRoot.get(h.uuid)![0]!)),
    }))
  } catch (error) {
    await releaseClaims(deps, claimed)
    throw error
  }
}

async function releaseClaims(deps: SelectionDeps, claimed: readonly Claimed[]): Promise<void> {
  for (const c of claimed) {
    try {
      await deps.placement.deleteAllocations(c.instanceUuid)
    } catch (error) {
      deps.logger.error(
        { err: error, instance_uuid: c.instanceUuid },
        'could not delete the allocations of an instance the request could not place in full',
      )
    }
  }
}

/**
 * Counts the hosts and, when placement returned fewer than all of them, asks placement why (failure path
 * only); then builds the error. If the explanation itself fails, the hosts are counted without a reason.
 */
async function explainFailure<E>(
  deps: SelectionDeps,
  input: {
    request: ResourceRequest
    constraints: readonly PlacementConstraint[]
    candidates: ReadonlySet<string>
    limitReached: number | undefined
  },
  build: (total: number, placementLog: EliminationLog) => E,
): Promise<E> {
  const total = await deps.hostStates.countHosts()
  const placementLog = new EliminationLog()
  if (input.candidates.size < total) {
    try {
      const eliminations = await explainPlacement({
        placement: deps.placement,
        request: input.request,
        constraints: input.constraints,
        candidates: input.candidates,
        ...(input.limitReached === undefined ? {} : { limitReached: input.limitReached }),
        total,
        logger: deps.logger,
      })
      const roots = eliminations.flatMap((e) => e.roots)
      const names = new Map(
        roots.length === 0 ? [] : (await deps.hostStates.hostStates(roots)).map((h) => [h.uuid, h.host]),
      )
      for (const e of eliminations) {
        const hosts = e.roots.map((r) => names.get(r) ?? `provider ${r}`)
        placementLog.recordMany('placement', e.reason, e.roots.length + e.unnamed, hosts, e.detail)
      }
    } catch (error) {
      deps.logger.warn({ err: error }, 'could not ask placement why it left hosts out')
      placementLog.clear('placement')
      placementLog.recordMany('placement', 'not returned', total - input.candidates.size, [])
    }
  }
  return build(total, placementLog)
}
