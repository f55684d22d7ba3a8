import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** Free vCPUs after overcommit (vcpusTotal × cpuAllocationRatio − vcpusUsed): spreads by default. */
export const CPUWeigher: HostWeigher = {
  name: 'CPUWeigher',
  optionName: 'cpu_weight_multiplier',
  minval: 0,
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'cpu_weight_multiplier', ctx.settings.cpuWeightMultiplier),
  weigh: (host) => host.vcpusTotal * (host.cpuAllocationRatio ?? 1.0) - host.vcpusUsed,
}
