import type { HostFilter } from './host-filter.js'

const NEEDS_ISOLATED_HOST = 'is not an isolated host (the image is isolated)'
const ONLY_ISOLATED_IMAGES = 'is an isolated host (only isolated images)'

/**
 * [filter_scheduler]isolated_images run only on isolated_hosts; with restrict_isolated_hosts_to_isolated_images
 * (default) isolated hosts also run nothing else. Without isolated images listed, isolated hosts are closed
 * (restrict on) or open (restrict off) to every image.
 */
export const IsolatedHostsFilter: HostFilter = {
  name: 'IsolatedHostsFilter',
  runOncePerRequest: true,
  runOnRebuild: true,
  check(host, spec, ctx) {
    const { isolatedHosts, isolatedImages, restrictIsolatedHostsToIsolatedImages: restrict } = ctx.settings
    const hostIsolated = isolatedHosts.includes(host.host)
    const imageId = spec.image.id
    const imageIsolated =
      isolatedImages.length > 0 && imageId !== undefined && isolatedImages.includes(imageId)
    if (imageIsolated && !hostIsolated) return NEEDS_ISOLATED_HOST
    if (restrict && hostIsolated && !imageIsolated) return ONLY_ISOLATED_IMAGES
    return undefined
  },
}
