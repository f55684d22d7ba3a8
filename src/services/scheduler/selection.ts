// What select_destinations needs and what it answers (Nova's Selection objects).
import type { Logger } from '../../common/logger.js'
import type { Allocations, CandidatesAnswer, PlacementClient } from '../placement/client.js'
import type { HostFilter } from './filters/index.js'
import type { HostState } from './host-state.js'
import type { AggregateSource } from './request-filters/index.js'
import type { SelectionSettings } from './selection-settings.js'
import type { HostWeigher } from './weighers/index.js'

/** One allocation request of GET /allocation_candidates: what to claim for one instance on one host. */
export interface AllocationRequest {
  readonly allocations: Allocations
  readonly mappings?: Readonly<Record<string, readonly string[]>>
}

/** A host for an instance, with the allocations it was (or, for an alternate, would be) claimed with. */
export interface Selection {
  readonly host: string
  readonly nodename: string
  /** The compute node's uuid, also its root resource provider's uuid. */
  readonly computeNodeUuid: string
  readonly cellUuid: string
  readonly allocationRequest: AllocationRequest
}

/** The chosen host of one instance (claimed in placement) and its alternates (same cell, not claimed). */
export interface InstanceSelection extends Selection {
  readonly instanceUuid: string
  readonly alternates: readonly Selection[]
}

/** The compute nodes the scheduler can pick from (the cells' compute_nodes, services and instances). */
export interface HostStateSource {
  /**
   * Fresh HostStates for those compute nodes (root provider uuid = compute node uuid); nodes it does not know
   * (or in disabled cells) are left out. The scheduler consumes resources in them while placing a request,
   * so they must not be shared between calls.
   */
  hostStates(rootProviderUuids: readonly string[]): Promise<HostState[]>
  /** How many compute nodes there are in all (the "of N hosts" of NoValidHost). */
  countHosts(): Promise<number>
}

/** The part of PlacementClient the scheduler uses. */
export type SchedulerPlacement = Pick<PlacementClient, 'allocationCandidates' | 'claim' | 'deleteAllocations'>

/** Everything selectDestinations needs, in one object. */
export interface SelectionDeps {
  readonly placement: SchedulerPlacement
  readonly hostStates: HostStateSource
  readonly aggregates: AggregateSource
  /** `[filter_scheduler]enabled_filters`, resolved (resolveFilters). */
  readonly filters: readonly HostFilter[]
  /** `[filter_scheduler]weight_classes`, resolved (resolveWeighers). */
  readonly weighers: readonly HostWeigher[]
  readonly settings: SelectionSettings
  /** A number in [0, 1); Math.random unless a test fixes it. */
  readonly random?: () => number
  readonly logger: Logger
}

export type { CandidatesAnswer }
