import type { Database } from '../../../db/index.js'
import type { PlacementDeps } from '../placement-deps.js'
import { createAggregateStore } from './aggregates.js'
import { createAllocationStore } from './allocations.js'
import { createInventoryStore } from './inventories.js'
import { placementDb } from './placement-db.js'
import { createProviderStore } from './providers.js'
import { createResourceClassStore } from './resource-classes.js'
import { SnapshotCache } from './snapshot-cache.js'
import { createTraitStore } from './traits.js'

/** Placement's stores over one database. */
export function createPlacementDeps(
  db: Database<unknown>,
  settings: PlacementDeps['settings'],
): PlacementDeps {
  const p = placementDb(db)
  return {
    db: p,
    providers: createProviderStore(p),
    inventories: createInventoryStore(p),
    traits: createTraitStore(p),
    aggregates: createAggregateStore(p),
    classes: createResourceClassStore(p),
    allocations: createAllocationStore(p),
    snapshots: new SnapshotCache(p),
    settings,
  }
}
