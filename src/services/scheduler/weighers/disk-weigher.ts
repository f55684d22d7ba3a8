import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** Free disk (MB): spreads by default. */
export const DiskWeigher: HostWeigher = {
  name: 'DiskWeigher',
  optionName: 'disk_weight_multiplier',
  minval: 0,
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'disk_weight_multiplier', ctx.settings.diskWeightMultiplier),
  weigh: (host) => host.freeDiskMb,
}
