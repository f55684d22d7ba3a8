// Whether one inventory can give one more allocation of a given amount.
import { capacityOf, type InventorySnapshot } from './model.js'

/**
 * Placement's per-allocation rule: the amount is within [min_unit, max_unit], a multiple of step_size, and
 * what is already used plus the amount fits the capacity (total − reserved) × allocation_ratio.
 */
export function canAllocate(inventory: InventorySnapshot, amount: number): boolean {
  return (
    amount >= inventory.minUnit &&
    amount <= inventory.maxUnit &&
    inventory.stepSize > 0 &&
    amount % inventory.stepSize === 0 &&
    inventory.used + amount <= capacityOf(inventory)
  )
}

/** What is left of an inventory for new allocations (never negative). */
export function freeCapacity(inventory: InventorySnapshot): number {
  return Math.max(0, capacityOf(inventory) - inventory.used)
}
