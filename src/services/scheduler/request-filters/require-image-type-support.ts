import { KNOWN_TRAITS } from './known-traits.js'
import type { RequestFilter } from './request-filter.js'

/**
 * [scheduler]query_placement_for_image_type_support: the compute node must report
 * COMPUTE_IMAGE_TYPE_<disk format> (not for boot from volume, where the image is not written to a local disk).
 */
export const requireImageTypeSupport: RequestFilter = {
  name: 'require_image_type_support',
  async apply(spec, ctx) {
    if (!ctx.settings.queryPlacementForImageTypeSupport || spec.isBfv === true) return []
    const format = spec.image.diskFormat
    if (format === undefined || format === '') return []
    const trait = `COMPUTE_IMAGE_TYPE_${format.toUpperCase()}`
    if (!KNOWN_TRAITS.has(trait)) {
      ctx.logger.error({ trait }, 'Computed trait name is not valid; image type support is not required')
      return []
    }
    return [
      {
        filter: 'require_image_type_support',
        requires: `trait ${trait}`,
        failure: `cannot run ${format} images`,
        rootRequired: [trait],
      },
    ]
  },
}
