import type { InventoryRecord, PlacementClient, Resources } from './client.js'

/** What a compute node reports about itself (Nova's resource tracker → SchedulerReportClient). */
export interface ComputeNodeReport {
  /** The compute node's uuid, which is its root provider's uuid. */
  readonly uuid: string
  /** The hypervisor hostname (the provider's name). */
  readonly name: string
  readonly inventories: Readonly<Record<string, InventoryRecord>>
  /** Capability traits of the driver (COMPUTE_*, HW_CPU_*, …) plus custom ones. */
  readonly traits: readonly string[]
  /** The nova-compute service is disabled: the provider carries COMPUTE_STATUS_DISABLED. */
  readonly disabled: boolean
}

/** An instance the compute node runs, with what its flavor takes. */
export interface HostedInstance {
  readonly uuid: string
  readonly resources: Resources
  readonly projectId: string
  readonly userId: string
}

export interface HealResult {
  /** Instances given the allocation they lacked. */
  readonly created: readonly string[]
  /** Consumers removed from this node: instances no longer on it (unless they are migrations). */
  readonly removed: readonly string[]
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i])

/**
 * The resource tracker's side of placement: reports a compute node's provider, inventories and traits only
 * when they changed since the last report (no call at all otherwise), and heals the node's own allocations
 * against the instances it really runs. Like Nova it owns only the traits it reports: custom traits an
 * operator sets on the provider are kept.
 */
export class ComputeNodeReporter {
  readonly #placement: PlacementClient
  readonly #last = new Map<string, { inventories: string; traits: string }>()

  constructor(placement: PlacementClient) {
    this.#placement = placement
  }

  async report(node: ComputeNodeReport): Promise<void> {
    const traits = [
      ...new Set([...node.traits, ...(node.disabled ? ['COMPUTE_STATUS_DISABLED'] : [])]),
    ].sort()
    const inventories = JSON.stringify(
      Object.entries(node.inventories).sort(([a], [b]) => a.localeCompare(b)),
    )
    const last = this.#last.get(node.uuid)
    if (last === undefined) await this.#placement.ensureProvider(node.uuid, node.name)
    if (last?.inventories !== inventories) await this.#placement.setInventories(node.uuid, node.inventories)
    if (last?.traits !== JSON.stringify(traits)) {
      const current = (await this.#placement.traitsOf(node.uuid)).sort()
      // Custom traits an operator put on the provider stay; those this node reported before and dropped go.
      const previous = new Set<string>(last === undefined ? [] : (JSON.parse(last.traits) as string[]))
      const kept = current.filter((t) => t.startsWith('CUSTOM_') && !traits.includes(t) && !previous.has(t))
      const wanted = [...traits, ...kept].sort()
      if (!same(current, wanted)) await this.#placement.setTraits(node.uuid, wanted)
    }
    this.#last.set(node.uuid, { inventories, traits: JSON.stringify(traits) })
  }

  /** Forget what was reported (e.g. after placement lost the provider): the next report writes everything. */
  forget(uuid: string): void {
    this.#last.delete(uuid)
  }

  /**
   * Makes the node's allocations match `instances`: an instance with no allocation at all gets its flavor's on
   * this node; a consumer on this node that is not one of its instances is removed from it, unless it is a
   * MIGRATION consumer (a move's source) or `keep` says so (instances arriving or leaving).
   */
  async heal(
    providerUuid: string,
    instances: readonly HostedInstance[],
    keep: (consumer: string) => boolean = () => false,
  ): Promise<HealResult> {
    const onNode = await this.#placement.providerAllocations(providerUuid)
    const hosted = new Set(instances.map((i) => i.uuid))
    const created: string[] = []
    const removed: string[] = []
    for (const instance of instances) {
      if (onNode[instance.uuid] !== undefined) continue
      const existing = await this.#placement.allocationsOf(instance.uuid)
      if (Object.keys(existing.allocations).length > 0) continue
      const outcome = await this.#placement.claim(
        instance.uuid,
        { [providerUuid]: { resources: instance.resources } },
        { projectId: instance.projectId, userId: instance.userId },
        null,
      )
      if (outcome === 'claimed') created.push(instance.uuid)
    }
    for (const consumer of Object.keys(onNode)) {
      if (hosted.has(consumer) || keep(consumer)) continue
      if ((await this.#placement.allocationsOf(consumer)).consumer_type === 'MIGRATION') continue
      if (await this.#placement.removeFromProvider(consumer, providerUuid)) removed.push(consumer)
    }
    return { created, removed }
  }
}
