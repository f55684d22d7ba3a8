import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** I/O-heavy operations in progress; the default multiplier (−1.0) prefers quieter hosts. */
export const IoOpsWeigher: HostWeigher = {
  name: 'IoOpsWeigher',
  optionName: 'io_ops_weight_multiplier',
  minval: 0,
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'io_ops_weight_multiplier', ctx.settings.ioOpsWeightMultiplier),
  weigh: (host) => host.numIoOps,
}
