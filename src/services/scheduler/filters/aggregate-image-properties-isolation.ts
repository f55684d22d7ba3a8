import type { HostFilter } from './host-filter.js'
import { IMAGE_META_PROPS } from './image-meta-props.js'
import { pyStr, pyTruthy } from './py.js'
import { aggregateMetadata } from './utils.js'

/**
 * For every metadata key of the host's aggregates that is also a (Nova-known) image property set on the image,
 * the image's value must be one of the aggregate's comma-separated values. With
 * aggregate_image_properties_isolation_namespace set, only keys starting with namespace + separator count.
 */
export const AggregateImagePropertiesIsolation: HostFilter = {
  name: 'AggregateImagePropertiesIsolation',
  runOncePerRequest: true,
  runOnRebuild: true,
  check(host, spec, ctx) {
    const namespace = ctx.settings.aggregateImagePropertiesIsolationNamespace
    const prefix = `${namespace ?? ''}${ctx.settings.aggregateImagePropertiesIsolationSeparator}`
    const props = spec.image.properties
    for (const [key, options] of aggregateMetadata(host)) {
      if (namespace !== undefined && namespace !== '' && !key.startsWith(prefix)) continue
      if (!IMAGE_META_PROPS.has(key) || !Object.hasOwn(props, key)) continue
      const prop = props[key]
      if (pyTruthy(prop) && !options.has(pyStr(prop)))
        return `image ${key}=${pyStr(prop)} is not allowed by the aggregate`
    }
    return undefined
  },
}
