// Nova's HostState attribute names (free_ram_mb, hypervisor_type, stats, …) over our HostState, for the filters
// whose users name attributes: ComputeCapabilitiesFilter (`capabilities:free_ram_mb`) and JsonFilter
// (`$free_ram_mb`).
import type { HostState } from '../host-state.js'

const ATTRIBUTES: Readonly<Record<string, (h: HostState) => unknown>> = {
  host: (h) => h.host,
  nodename: (h) => h.nodename,
  hypervisor_hostname: (h) => h.nodename,
  uuid: (h) => h.uuid,
  cell_uuid: (h) => h.cellUuid,
  host_ip: (h) => h.hostIp,
  hypervisor_type: (h) => h.hypervisorType,
  hypervisor_version: (h) => h.hypervisorVersion,
  cpu_info: (h) => h.cpuInfo,
  supported_instances: (h) => h.supportedInstances.map((t) => [...t]),
  total_usable_ram_mb: (h) => h.totalUsableRamMb,
  free_ram_mb: (h) => h.freeRamMb,
  total_usable_disk_gb: (h) => h.totalUsableDiskGb,
  free_disk_mb: (h) => h.freeDiskMb,
  vcpus_total: (h) => h.vcpusTotal,
  vcpus_used: (h) => h.vcpusUsed,
  cpu_allocation_ratio: (h) => h.cpuAllocationRatio,
  ram_allocation_ratio: (h) => h.ramAllocationRatio,
  disk_allocation_ratio: (h) => h.diskAllocationRatio,
  num_instances: (h) => h.numInstances,
  num_io_ops: (h) => h.numIoOps,
  failed_builds: (h) => h.failedBuilds,
  stats: (h) => h.stats,
  metrics: (h) => Object.fromEntries(h.metrics),
  service: (h) => ({ disabled: h.serviceDisabled, up: h.serviceUp }),
}

/** Whether Nova's HostState has an attribute of this name (Python `hasattr`). */
export function hasHostAttribute(name: string): boolean {
  return Object.hasOwn(ATTRIBUTES, name)
}

/** The value of a Nova HostState attribute, or undefined (Python None) for unknown names and unset values. */
export function hostAttribute(host: HostState, name: string): unknown {
  return Object.hasOwn(ATTRIBUTES, name) ? ATTRIBUTES[name]!(host) : undefined
}
