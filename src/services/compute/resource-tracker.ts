import type { RequestContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import type { NovaConfig } from '../../config/index.js'
import type { ComputeNodeFields, ComputeNodeView } from '../conductor/client.js'
import type { ComputeNodeReporter } from '../placement/client.js'
import { capabilityTraits } from './driver/capabilities.js'
import type { HostResources, HypervisorDriver } from './driver/driver.js'

/** The conductor's side the tracker needs: write the node record (ConductorClient implements it). */
export interface ComputeNodeWriter {
  computeNodeUpdate(
    ctx: RequestContext,
    host: string,
    nodename: string,
    fields: ComputeNodeFields,
    defaults?: ComputeNodeFields,
  ): Promise<ComputeNodeView>
}

/** Nova's `[DEFAULT]` options of the resource tracker. */
export interface ResourceTrackerSettings {
  /** Set: overrides the node's ratio on every update. Unset: the node keeps its ratio (initial_* when new). */
  readonly cpuAllocationRatio?: number
  readonly ramAllocationRatio?: number
  readonly diskAllocationRatio?: number
  readonly initialCpuAllocationRatio: number
  readonly initialRamAllocationRatio: number
  readonly initialDiskAllocationRatio: number
  readonly reservedHostCpus: number
  readonly reservedHostMemoryMb: number
  readonly reservedHostDiskMb: number
  /** `[DEFAULT] my_ip`, the node's host_ip. */
  readonly hostIp: string
}

export function resourceTrackerSettings(config: NovaConfig): ResourceTrackerSettings {
  const d = config.DEFAULT
  return {
    ...(d.cpu_allocation_ratio === undefined ? {} : { cpuAllocationRatio: d.cpu_allocation_ratio }),
    ...(d.ram_allocation_ratio === undefined ? {} : { ramAllocationRatio: d.ram_allocation_ratio }),
    ...(d.disk_allocation_ratio === undefined ? {} : { diskAllocationRatio: d.disk_allocation_ratio }),
    initialCpuAllocationRatio: d.initial_cpu_allocation_ratio,
    initialRamAllocationRatio: d.initial_ram_allocation_ratio,
    initialDiskAllocationRatio: d.initial_disk_allocation_ratio,
    reservedHostCpus: d.reserved_host_cpus,
    reservedHostMemoryMb: d.reserved_host_memory_mb,
    reservedHostDiskMb: d.reserved_host_disk_mb,
    hostIp: d.my_ip,
  }
}

/** What an instance being built takes before the driver lists it (Nova's instance_claim). */
export interface ClaimedResources {
  readonly vcpus: number
  readonly memoryMb: number
  readonly diskGb: number
}

export interface ResourceTrackerOptions {
  readonly host: string
  readonly driver: HypervisorDriver
  readonly conductor: ComputeNodeWriter
  /** Placement feed; undefined: the node is recorded but not reported (no placement configured). */
  readonly reporter: ComputeNodeReporter | undefined
  readonly settings: ResourceTrackerSettings
  readonly logger: Logger
}

/** The trait every compute node provider carries (Nova's resource tracker adds it). */
export const COMPUTE_NODE_TRAIT = 'COMPUTE_NODE'

/**
 * nova-compute's resource tracker (Nova's ResourceTracker.update_available_resource): asks the driver what each
 * node has and what its guests take, adds the host's reserve and the instances being built (claims), writes the
 * compute node record through the conductor, and reports the node's provider, inventories and traits to placement
 * (only what changed since the last report). Runs on start and periodically.
 */
export class ResourceTracker {
  readonly #o: ResourceTrackerOptions
  readonly #nodes = new Map<string, ComputeNodeView>()
  readonly #claims = new Map<string, ClaimedResources & { readonly nodename: string }>()
  #failedBuilds = 0

  constructor(options: ResourceTrackerOptions) {
    this.#o = options
  }

  /** The node's record as the last update left it. */
  node(nodename: string): ComputeNodeView | undefined {
    return this.#nodes.get(nodename)
  }

  /** Counts an instance being built on `nodename` until the driver lists it or the claim is dropped. */
  claim(instanceUuid: string, nodename: string, resources: ClaimedResources): void {
    this.#claims.set(instanceUuid, { ...resources, nodename })
  }

  /** Forgets a claim (the build failed, or the instance left). */
  dropClaim(instanceUuid: string): void {
    this.#claims.delete(instanceUuid)
  }

  /** A build failed on this host (Nova's `failed_builds` stat, which BuildFailureWeigher reads); 0 after a success. */
  buildFailed(): void {
    this.#failedBuilds++
  }

  buildSucceeded(): void {
    this.#failedBuilds = 0
  }

  /**
   * One run for every node of the driver. A failed record write rejects (the periodic task logs it); a failed
   * placement report is logged and retried in full on the next run.
   */
  async update(ctx: RequestContext): Promise<void> {
    const listed = new Set(await this.#o.driver.listInstanceUuids())
    for (const [uuid] of this.#claims) if (listed.has(uuid)) this.#claims.delete(uuid)
    for (const nodename of this.#o.driver.nodeNames()) {
      const resources = await this.#o.driver.getAvailableResource(nodename)
      const view = await this.#o.conductor.computeNodeUpdate(
        ctx,
        this.#o.host,
        nodename,
        this.#fields(nodename, resources),
        this.#defaults(),
      )
      this.#nodes.set(nodename, view)
      await this.#report(view)
    }
  }

  #fields(nodename: string, r: HostResources): ComputeNodeFields {
    const s = this.#o.settings
    const pending = [...this.#claims.values()].filter((c) => c.nodename === nodename)
    const sum = (f: (c: ClaimedResources) => number) => pending.reduce((acc, c) => acc + f(c), 0)
    const memoryMbUsed = s.reservedHostMemoryMb + r.memoryMbUsed + sum((c) => c.memoryMb)
    const localGbUsed = Math.ceil(s.reservedHostDiskMb / 1024) + r.localGbUsed + sum((c) => c.diskGb)
    const instances = r.runningVms + pending.length
    return {
      vcpus: r.vcpus,
      memory_mb: r.memoryMb,
      local_gb: r.localGb,
      vcpus_used: r.vcpusUsed + sum((c) => c.vcpus),
      memory_mb_used: memoryMbUsed,
      local_gb_used: localGbUsed,
      free_ram_mb: r.memoryMb - memoryMbUsed,
      free_disk_gb: r.localGb - localGbUsed,
      hypervisor_type: r.hypervisorType,
      hypervisor_version: r.hypervisorVersion,
      running_vms: instances,
      current_workload: pending.length,
      disk_available_least: r.diskAvailableLeast ?? null,
      host_ip: s.hostIp,
      cpu_info: JSON.stringify(r.cpuInfo),
      supported_instances: JSON.stringify(r.supportedInstances),
      stats: JSON.stringify({
        num_instances: instances,
        io_workload: pending.length,
        failed_builds: this.#failedBuilds,
      }),
      ...(s.cpuAllocationRatio === undefined ? {} : { cpu_allocation_ratio: s.cpuAllocationRatio }),
      ...(s.ramAllocationRatio === undefined ? {} : { ram_allocation_ratio: s.ramAllocationRatio }),
      ...(s.diskAllocationRatio === undefined ? {} : { disk_allocation_ratio: s.diskAllocationRatio }),
    }
  }

  #defaults(): ComputeNodeFields {
    const s = this.#o.settings
    return {
      cpu_allocation_ratio: s.initialCpuAllocationRatio,
      ram_allocation_ratio: s.initialRamAllocationRatio,
      disk_allocation_ratio: s.initialDiskAllocationRatio,
    }
  }

  /** Inventories as Nova reports them (§6.4): reserve from the options, ratios from the node record. */
  inventories(view: ComputeNodeView): Record<
    string,
    {
      total: number
      reserved: number
      min_unit: number
      max_unit: number
      step_size: number
      allocation_ratio: number
    }
  > {
    const s = this.#o.settings
    const inventory: ReturnType<ResourceTracker['inventories']> = {}
    const add = (rc: string, total: number, reserved: number, ratio: number | null, initial: number) => {
      if (total <= 0) return
      inventory[rc] = {
        total,
        reserved: Math.min(reserved, total),
        min_unit: 1,
        max_unit: total,
        step_size: 1,
        allocation_ratio: ratio ?? initial,
      }
    }
    add('VCPU', view.vcpus ?? 0, s.reservedHostCpus, view.cpu_allocation_ratio, s.initialCpuAllocationRatio)
    add(
      'MEMORY_MB',
      view.memory_mb ?? 0,
      s.reservedHostMemoryMb,
      view.ram_allocation_ratio,
      s.initialRamAllocationRatio,
    )
    add(
      'DISK_GB',
      view.local_gb ?? 0,
      Math.ceil(s.reservedHostDiskMb / 1024),
      view.disk_allocation_ratio,
      s.initialDiskAllocationRatio,
    )
    return inventory
  }

  /** The driver's capability traits and COMPUTE_NODE (COMPUTE_STATUS_DISABLED is the reporter's). */
  traits(): string[] {
    return [...new Set([...capabilityTraits(this.#o.driver.capabilities), COMPUTE_NODE_TRAIT])].sort()
  }

  async #report(view: ComputeNodeView): Promise<void> {
    const reporter = this.#o.reporter
    if (reporter === undefined) return
    try {
      await reporter.report({
        uuid: view.uuid,
        name: view.hypervisor_hostname,
        inventories: this.inventories(view),
        traits: this.traits(),
        disabled: view.service_disabled,
      })
    } catch (error) {
      reporter.forget(view.uuid)
      this.#o.logger.error(
        { err: error, node: view.hypervisor_hostname, provider: view.uuid },
        'reporting the compute node to placement failed; retrying on the next run',
      )
    }
  }
}
