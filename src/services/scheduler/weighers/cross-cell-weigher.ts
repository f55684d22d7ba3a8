import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/**
 * During a move (RequestSpec.sourceCellUuid set), hosts in the instance's own cell weigh 1 and hosts in other
 * cells −1, so a cross-cell move happens only when the source cell has no room; 0 for everyone otherwise.
 */
export const CrossCellWeigher: HostWeigher = {
  name: 'CrossCellWeigher',
  optionName: 'cross_cell_move_weight_multiplier',
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'cross_cell_move_weight_multiplier', ctx.settings.crossCellMoveWeightMultiplier),
  weigh(host, spec) {
    if (spec.sourceCellUuid === undefined) return 0
    return host.cellUuid === spec.sourceCellUuid ? 1 : -1
  },
}
