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
  let max = maxval ?? -Infinity
  let min = minval ?? Infinity
  if (maxval === undefined || minval === undefined)
    for (const v of values) {
      if (maxval === undefined && v > max) max = v
      if (minval === undefined && v < min) min = v
    }
  if (min === max) return values.map(() => 0)
  const span = max - min
  return values.map((v) => (v - min) / span)
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
  const n = hosts.length
  const totals = new Float64Array(n)
  // One column of contributions per weigher; a host's `scores` record is only built if someone reads it.
  const columns: { name: string; values: Float64Array }[] = []
  if (n > 1) {
    const multipliers = new Float64Array(n)
    const raw = new Array<number>(n)
    for (const weigher of weighers) {
      let any = false
      for (let i = 0; i < n; i++) {
        multipliers[i] = weigher.multiplier(hosts[i]!, ctx)
        if (multipliers[i] !== 0) any = true
      }
      const values = new Float64Array(n)
      columns.push({ name: weigher.name, values })
      // A weigher whose multiplier is 0 everywhere adds nothing: its values need not be computed.
      if (!any) continue
      for (let i = 0; i < n; i++) {
        let value = weigher.weigh(hosts[i]!, spec, ctx)
        if (weigher.minval !== undefined) value = Math.max(value, weigher.minval)
        if (weigher.maxval !== undefined) value = Math.min(value, weigher.maxval)
        raw[i] = value
      }
      const normalised = normalize(raw, weigher.minval, weigher.maxval)
      for (let i = 0; i < n; i++) {
        const score = multipliers[i]! * normalised[i]!
        totals[i]! += score
        values[i] = score
      }
    }
  }
  const weighed: WeighedHost[] = hosts.map((host, i) => ({
    host,
    weight: totals[i]!,
    get scores() {
      return Object.fromEntries(columns.map((c) => [c.name, c.values[i]!]))
    },
  }))
  // Stable: ties keep their input order.
  return weighed.sort((a, b) => b.weight - a.weight)
}
