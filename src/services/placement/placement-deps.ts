import type { AggregateStore } from './store/aggregates.js'
import type { AllocationStore } from './store/allocations.js'
import type { InventoryStore } from './store/inventories.js'
import type { PlacementDb } from './store/placement-db.js'
import type { ProviderStore } from './store/providers.js'
import type { SnapshotCache } from './store/snapshot-cache.js'
import type { ResourceClassStore } from './store/resource-classes.js'
import type { TraitStore } from './store/traits.js'

/** What placement's routes work with. */
export interface PlacementDeps {
  readonly db: PlacementDb
  readonly providers: ProviderStore
  readonly inventories: InventoryStore
  readonly traits: TraitStore
  readonly aggregates: AggregateStore
  readonly classes: ResourceClassStore
  readonly allocations: AllocationStore
  readonly snapshots: SnapshotCache
  readonly settings: {
    /** `[placement] randomize_allocation_candidates`. */
    readonly randomizeCandidates: boolean
    /** `[placement] incomplete_consumer_project_id` / `_user_id`: owner of allocations written before 1.8. */
    readonly incompleteConsumerProjectId: string
    readonly incompleteConsumerUserId: string
  }
}
