import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

/** A host lacks a metric MetricsWeigher needs while [metrics]required is true (Nova's ComputeHostMetricNotFound). */
export class ComputeHostMetricNotFound extends Error {
  override readonly name = 'ComputeHostMetricNotFound'
  constructor(
    readonly host: string,
    readonly node: string,
    readonly metric: string,
  ) {
    super(`Metric ${metric} not found on host ${host} node ${node}`)
  }
}

/**
 * Σ metric value × ratio over [metrics]weight_setting. A missing metric throws ComputeHostMetricNotFound when
 * [metrics]required (use MetricsFilter to avoid it); otherwise the host weighs [metrics]weight_of_unavailable,
 * unless that metric's ratio or the multiplier is 0, in which case the metric is skipped.
 */
export const MetricsWeigher: HostWeigher = {
  name: 'MetricsWeigher',
  optionName: 'metrics_weight_multiplier',
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'metrics_weight_multiplier', ctx.settings.metrics.weightMultiplier),
  weigh(host, _spec, ctx) {
    const { weightSetting, required, weightOfUnavailable } = ctx.settings.metrics
    let value = 0
    for (const [name, ratio] of weightSetting) {
      const metric = host.metrics.get(name)
      if (metric !== undefined) {
        value += metric * ratio
        continue
      }
      if (required) throw new ComputeHostMetricNotFound(host.host, host.nodename, name)
      if (ratio * MetricsWeigher.multiplier(host, ctx) !== 0) return weightOfUnavailable
    }
    return value
  },
}
