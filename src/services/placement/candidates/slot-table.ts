// Numbers the (provider, resource class) inventories that candidate options take from, so that combining groups
// can add amounts in a plain array instead of keyed maps.
import { freeCapacity } from './capacity.js'
import type { InventorySnapshot, ProviderSnapshot } from './model.js'

/** One amount of one class from one provider, as part of a group's option. */
export interface Take {
  readonly slot: number
  readonly provider: ProviderSnapshot
  readonly resourceClass: string
  readonly amount: number
}

export class SlotTable {
  /**
   * Per slot: the most that all groups of one allocation request together may take. Upstream checks the merged
   * amount against both the free capacity and max_unit, so this is the smaller of the two.
   */
  readonly limit: number[] = []
  readonly #ids = new Map<ProviderSnapshot, Map<string, number>>()

  take(
    provider: ProviderSnapshot,
    resourceClass: string,
    inventory: InventorySnapshot,
    amount: number,
  ): Take {
    let byClass = this.#ids.get(provider)
    if (byClass === undefined) this.#ids.set(provider, (byClass = new Map()))
    let slot = byClass.get(resourceClass)
    if (slot === undefined) {
      slot = this.limit.length
      this.limit.push(Math.min(freeCapacity(inventory), inventory.maxUnit))
      byClass.set(resourceClass, slot)
    }
    return { slot, provider, resourceClass, amount }
  }
}
