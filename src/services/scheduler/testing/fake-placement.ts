// A scripted stand-in for placement: fixed allocation candidates (one root provider per host) and claims
// that answer from a script, recording what was claimed and deleted.
import type { CandidatesAnswer, ClaimOutcome } from '../../placement/client.js'
import type { HostState } from '../host-state.js'
import type { HostStateSource, SchedulerPlacement } from '../selection.js'

export interface FakePlacement extends SchedulerPlacement {
  readonly queries: string[]
  readonly claims: { consumer: string; provider: string; outcome: ClaimOutcome }[]
  readonly deleted: string[]
}

/** Candidates for `roots` (VCPU 1 each); `outcome(consumer, provider)` decides each claim ('claimed' if absent). */
export function fakePlacement(
  roots: readonly string[],
  outcome: (consumer: string, provider: string) => ClaimOutcome | Error = () => 'claimed',
): FakePlacement {
  const fake: FakePlacement = {
    queries: [],
    claims: [],
    deleted: [],
    async allocationCandidates(query) {
      fake.queries.push(query.toString())
      const answer: CandidatesAnswer = {
        allocation_requests: roots.map((rp) => ({ allocations: { [rp]: { resources: { VCPU: 1 } } } })),
        provider_summaries: Object.fromEntries(
          roots.map((rp) => [
            rp,
            {
              resources: { VCPU: { capacity: 8, used: 0 } },
              traits: [],
              parent_provider_uuid: null,
              root_provider_uuid: rp,
            },
          ]),
        ),
      }
      return answer
    },
    async claim(consumer, allocations) {
      const provider = Object.keys(allocations)[0]!
      const result = outcome(consumer, provider)
      if (result instanceof Error) throw result
      fake.claims.push({ consumer, provider, outcome: result })
      return result
    },
    async deleteAllocations(consumer) {
      fake.deleted.push(consumer)
      return true
    },
  }
  return fake
}

/** Host states from a fixed list, copied on each call (the scheduler consumes them). */
export function fixedHostStates(hosts: readonly HostState[], total = hosts.length): HostStateSource {
  return {
    async hostStates(uuids) {
      return hosts
        .filter((h) => uuids.includes(h.uuid))
        .map((h) => ({ ...h, instances: new Map(h.instances), aggregates: [...h.aggregates] }))
    },
    async countHosts() {
      return total
    },
  }
}
