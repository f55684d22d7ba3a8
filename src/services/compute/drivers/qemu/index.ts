import type { NovaConfig } from '../../../../config/index.js'
import { QemuDriver } from './qemu-driver.js'
import type { ImageFetcher } from './image-cache.js'

export { QEMU_CAPABILITIES, QemuDriver, type QemuDriverOptions } from './qemu-driver.js'
export type { ImageFetcher } from './image-cache.js'

/** A QemuDriver from `[DEFAULT] instances_path` and `[libvirt] virt_type`; images come through `fetchImage`. */
export function qemuDriverFromConfig(config: NovaConfig, fetchImage: ImageFetcher): QemuDriver {
  return new QemuDriver({
    instancesPath: config.DEFAULT.instances_path,
    virtType: config.libvirt.virt_type,
    imageCacheSubdirectory: config.image_cache.subdirectory_name,
    liveMigrationBandwidthMiBs: config.libvirt.live_migration_bandwidth,
    fetchImage,
    ...(config.DEFAULT.default_ephemeral_format === undefined
      ? {}
      : { ephemeralFormat: config.DEFAULT.default_ephemeral_format }),
    configDrive: {
      mkisofs: config.DEFAULT.mkisofs_cmd,
      dhcpDomain: config.api.dhcp_domain,
      skipVersions: config.api.config_drive_skip_versions,
    },
  })
}
