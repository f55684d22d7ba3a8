import { pyStr } from '../filters/py.js'
import type { HostWeigher } from './host-weigher.js'
import { weightMultiplier } from './multiplier.js'

const pair = (key: string, value: unknown) => `${key}\u0000${pyStr(value)}`

/**
 * Prefers hosts whose instances were booted from images sharing properties with the requested image: for every
 * (property, value) of the request found on the host's instances, the number of instances having it, times the
 * property's ratio from image_props_weight_setting (all 1 when the setting is empty; unlisted properties 0).
 * Off unless [filter_scheduler]image_props_weight_multiplier is non-zero (the configured value: aggregates
 * only change the multiplier of a weigher that runs).
 */
export const ImagePropertiesWeigher: HostWeigher = {
  name: 'ImagePropertiesWeigher',
  optionName: 'image_props_weight_multiplier',
  multiplier: (host, ctx) =>
    weightMultiplier(host, 'image_props_weight_multiplier', ctx.settings.imagePropsWeightMultiplier),
  weigh(host, spec, ctx) {
    if (ctx.settings.imagePropsWeightMultiplier === 0) return 0
    const requested = new Map<string, string>()
    for (const [key, value] of Object.entries(spec.image.properties)) requested.set(pair(key, value), key)
    const counts = new Map<string, number>()
    for (const instance of host.instances.values())
      for (const [key, value] of Object.entries(instance.imageProperties ?? {})) {
        const p = pair(key, value)
        counts.set(p, (counts.get(p) ?? 0) + 1)
      }
    const ratios = new Map(ctx.settings.imagePropsWeightSetting)
    let weight = 0
    for (const [p, key] of requested) {
      const count = counts.get(p) ?? 0
      if (count === 0) continue
      weight += ratios.size > 0 ? (ratios.get(key) ?? 0) * count : count
    }
    return weight
  },
}
