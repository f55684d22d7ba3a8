import { BuildFailureWeigher } from './build-failure-weigher.js'
import { CPUWeigher } from './cpu-weigher.js'
import { CrossCellWeigher } from './cross-cell-weigher.js'
import { DiskWeigher } from './disk-weigher.js'
import type { HostWeigher } from './host-weigher.js'
import { HypervisorVersionWeigher } from './hypervisor-version-weigher.js'
import { ImagePropertiesWeigher } from './image-properties-weigher.js'
import { IoOpsWeigher } from './io-ops-weigher.js'
import { MetricsWeigher } from './metrics-weigher.js'
import { NumInstancesWeigher } from './num-instances-weigher.js'
import { RAMWeigher } from './ram-weigher.js'
import { ServerGroupSoftAffinityWeigher } from './server-group-soft-affinity-weigher.js'
import { ServerGroupSoftAntiAffinityWeigher } from './server-group-soft-anti-affinity-weigher.js'

export type { HostWeigher, WeighContext } from './host-weigher.js'
export { ComputeHostMetricNotFound } from './metrics-weigher.js'
export { normalize, weighHosts, type WeighedHost } from './weigh-hosts.js'

/** `weight_classes` value meaning every built-in weigher. */
export const ALL_WEIGHERS = 'nova.scheduler.weights.all_weighers'

/** Every built-in weigher by Nova's class name. */
export const WEIGHERS: ReadonlyMap<string, HostWeigher> = new Map(
  [
    RAMWeigher,
    CPUWeigher,
    DiskWeigher,
    IoOpsWeigher,
    NumInstancesWeigher,
    HypervisorVersionWeigher,
    ImagePropertiesWeigher,
    ServerGroupSoftAffinityWeigher,
    ServerGroupSoftAntiAffinityWeigher,
    BuildFailureWeigher,
    CrossCellWeigher,
    MetricsWeigher,
  ].map((w) => [w.name, w]),
)

/**
 * The weighers of `[filter_scheduler]weight_classes`: `nova.scheduler.weights.all_weighers` means every one;
 * other names are class names or Python class paths (`nova.scheduler.weights.ram.RAMWeigher`). Each weigher is
 * returned once. Throws an Error naming each unknown weigher.
 */
export function resolveWeighers(names: readonly string[]): HostWeigher[] {
  if (names.some((n) => n.trim() === ALL_WEIGHERS)) return [...WEIGHERS.values()]
  const unknown: string[] = []
  const weighers = new Set<HostWeigher>()
  for (const name of names) {
    const weigher = WEIGHERS.get(name.trim().split('.').at(-1)!)
    if (weigher === undefined) unknown.push(name)
    else weighers.add(weigher)
  }
  if (unknown.length > 0)
    throw new Error(
      `[filter_scheduler]weight_classes: unknown weigher(s): ${unknown.join(', ')} ` +
        `(known: ${[...WEIGHERS.keys()].join(', ')}, or ${ALL_WEIGHERS})`,
    )
  return [...weighers]
}
