import { KNOWN_TRAITS } from './known-traits.js'
import type { PlacementConstraint, RequestFilter } from './request-filter.js'

/** Image property → trait prefix (Nova's prefix_map; hw_machine_type has no os-traits family). */
export const IMAGE_PROPERTY_TRAIT_PREFIXES: Readonly<Record<string, string>> = {
  hw_cdrom_bus: 'COMPUTE_STORAGE_BUS',
  hw_disk_bus: 'COMPUTE_STORAGE_BUS',
  hw_video_model: 'COMPUTE_GRAPHICS_MODEL',
  hw_vif_model: 'COMPUTE_NET_VIF_MODEL',
  hw_architecture: 'HW_ARCH',
  hw_emulation_architecture: 'COMPUTE_ARCH',
  hw_viommu_model: 'COMPUTE_VIOMMU_MODEL',
}

/**
 * [scheduler]image_metadata_prefilter: image properties become required traits of the compute node, e.g.
 * hw_disk_bus=virtio → COMPUTE_STORAGE_BUS_VIRTIO, hw_vif_model=e1000 → COMPUTE_NET_VIF_MODEL_E1000. As in
 * Nova, one value that makes no known trait drops them all (logged).
 */
export const transformImageMetadata: RequestFilter = {
  name: 'transform_image_metadata',
  async apply(spec, ctx) {
    if (!ctx.settings.imageMetadataPrefilter) return []
    const constraints: PlacementConstraint[] = []
    for (const [property, prefix] of Object.entries(IMAGE_PROPERTY_TRAIT_PREFIXES)) {
      const value = spec.image.properties[property]
      if (value === undefined || value === null) continue
      const trait = `${prefix}_${String(value).replaceAll('-', '_').toUpperCase()}`
      if (!KNOWN_TRAITS.has(trait)) {
        ctx.logger.error({ trait, property }, 'Computed trait name is not valid; image properties ignored')
        return []
      }
      constraints.push({
        filter: 'transform_image_metadata',
        requires: `trait ${trait} (image ${property}=${String(value)})`,
        failure: `lack ${trait} (image ${property}=${String(value)})`,
        rootRequired: [trait],
      })
    }
    return constraints
  },
}
