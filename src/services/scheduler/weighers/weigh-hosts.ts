import type { HostState, RequestSpec } from '../host-state.js'
import type { HostWeigher, WeighContext } from './host-weigher.js'

export interface WeighedHost {
  readonly host: HostState
  /** Σ multiplier × normalised value over the weighers; higher is better. */
  readonly weight: number
  /** Each weigher's contribution (multiplier × normalised value), by weigher name, for logging. */
  readonly scores: Readonly<Record<string, number>>
}

/**
 * Nova's normalize: values mapped linearly to [0, 1] between `minval` and `maxval` (the list's own minimum and
 * maximum when not given); all zeros when the two are equal.
 */
export function normalize(values: readonly number[], minval?: number, maxval?: number): number[] {
  if (values.length === 0) return []
  const max = maxval ?? Math.max(...values)
  const min = minval ?? Math.min(...values)
  if (min === max) return values.map(() => 0)
  return values.map((v) => (v - min) / (max - min))
}

/**
 * Weighs the candidate hosts and returns them best first (ties keep their input order). For each weigher the
 * raw values (clamped to its minval/maxval) are normalised across the candidates, then each host adds its own
 * multiplier (aggregate overrides included) × its normalised value. With fewer than two hosts nothing is weighed
 * (every weight 0), as in Nova.
 */
export function weighHosts(
  hosts: readonly HostState[],
  spec: RequestSpec,
  weighers: readonly HostWeigher[],
  ctx: WeighContext,
): WeighedHost[] {
  const totals = hosts.map(() => 0)
  const scores = hosts.map((): Record<string, number> => ({}))
  if (hosts.length > 1) {
    for (const weigher of weighers) {
      const raw = hosts.map((host) => {
        let value = weigher.weigh(host, spec, ctx)
        if (weigher.minval !== undefined) value = Math.max(value, weigher.minval)
        if (weigher.maxval !== undefined) value = Math.min(value, weigher.maxval)
        return value
      })
      normalize(raw, weigher.minval, weigher.maxval).forEach((normalised, i) => {
        const score = weigher.multiplier(hosts[i]!, ctx) * normalised
        totals[i]! += score
        scores[i]![weigher.name] = score
      })
    }
  }
  return hosts
    .map((host, i) => ({ host, weight: totals[i]!, scores: scores[i]! }))
    .sort((a, b) => b.weight - a.weight)
}
