// What the scheduler knows about one compute node while it picks hosts, and what it is asked for.

export interface HostAggregate {
  readonly id: number
  readonly uuid: string
  readonly name: string
  /** Aggregate metadata (availability_zone, filter_tenant_id, max_io_ops_per_host, *_weight_multiplier, …). */
  readonly metadata: Readonly<Record<string, string>>
}

export interface HostInstance {
  readonly uuid: string
  /** The image properties the instance was booted with (ImagePropertiesWeigher). */
  readonly imageProperties?: Readonly<Record<string, unknown>>
}

/**
 * A compute node as the filters and weighers see it. Mutable counters (free resources, instance counts,
 * io ops) are consumed in memory while one multi-instance request is placed, so later instances spread.
 */
export interface HostState {
  readonly host: string
  readonly nodename: string
  /** The compute node's uuid, which is also its root resource provider's uuid. */
  readonly uuid: string
  readonly cellUuid: string
  /** The host's IP address (SimpleCIDRAffinityFilter). */
  readonly hostIp: string
  readonly serviceUp: boolean
  readonly serviceDisabled: boolean
  readonly availabilityZone: string
  readonly hypervisorType: string
  readonly hypervisorVersion: number
  readonly cpuInfo: string
  /** (architecture, hypervisor type, vm mode) triples the host supports, e.g. ['x86_64', 'qemu', 'hvm']. */
  readonly supportedInstances: readonly (readonly [string, string, string])[]
  totalUsableRamMb: number
  freeRamMb: number
  totalUsableDiskGb: number
  freeDiskMb: number
  vcpusTotal: number
  vcpusUsed: number
  /** The compute node's allocation ratios (CPUWeigher weighs vcpusTotal × cpuAllocationRatio − vcpusUsed; 1.0 if absent). */
  readonly cpuAllocationRatio?: number
  readonly ramAllocationRatio?: number
  readonly diskAllocationRatio?: number
  numInstances: number
  /** Instances in I/O-heavy task states (building, resizing, snapshotting, …). */
  numIoOps: number
  /** Consecutive recent build failures reported by the compute (BuildFailureWeigher). */
  failedBuilds: number
  /** Free-form stats reported by the compute (ComputeCapabilitiesFilter looks here too). */
  readonly stats: Readonly<Record<string, string>>
  /** Metric name → value (MetricsFilter/MetricsWeigher). */
  readonly metrics: ReadonlyMap<string, number>
  readonly aggregates: readonly HostAggregate[]
  /** Instances on this host by uuid. */
  readonly instances: Map<string, HostInstance>
}

export interface FlavorSpec {
  readonly name: string
  readonly flavorid: string
  readonly vcpus: number
  readonly memoryMb: number
  readonly rootGb: number
  readonly ephemeralGb: number
  /** Swap in MB. */
  readonly swap: number
  readonly extraSpecs: Readonly<Record<string, string>>
}

export interface ImageSpec {
  readonly id?: string
  readonly diskFormat?: string
  /** Image properties as Glance reports them (hw_architecture, img_hv_type, hw_vm_mode, …). */
  readonly properties: Readonly<Record<string, unknown>>
}

export type GroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity'

export interface InstanceGroupSpec {
  readonly uuid: string
  readonly policy: GroupPolicy
  readonly rules: { readonly max_server_per_host?: number }
  /** Hosts that already run members of the group (plus those chosen earlier in this request). */
  readonly hosts: string[]
  readonly members: readonly string[]
}

/** Nova's RequestSpec, the parts the scheduler uses. */
export interface RequestSpec {
  readonly instanceUuid: string
  readonly projectId: string
  readonly userId: string
  readonly numInstances: number
  readonly flavor: FlavorSpec
  readonly image: ImageSpec
  readonly availabilityZone?: string
  /** Scheduler hints; Nova stores every hint value as a list of strings. */
  readonly schedulerHints: Readonly<Record<string, readonly string[]>>
  readonly instanceGroup?: InstanceGroupSpec
  /** Hosts not to use (e.g. the source host of a move). */
  readonly ignoreHosts: readonly string[]
  readonly forceHosts: readonly string[]
  readonly forceNodes: readonly string[]
  /** The cell of the instance when it is being moved (CrossCellWeigher); absent on first boot. */
  readonly sourceCellUuid?: string
  /** Boot from volume: the root disk is not asked of placement and the image's disk format does not matter. */
  readonly isBfv?: boolean
}
