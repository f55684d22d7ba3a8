import { Invalid } from '../../../common/errors/index.js'
import type { NovaConfig } from '../../../config/index.js'
import type { HypervisorDriver } from '../driver/driver.js'
import { fakeDriverFromConfig } from './fake/index.js'
import { qemuDriverFromConfig, type ImageFetcher } from './qemu/index.js'

/** What nova-compute hands a driver besides its configuration. */
export interface DriverDeps {
  /** Downloads an image's data to a file (checksum-verified): the image service client's downloadTo. */
  readonly fetchImage?: ImageFetcher
}

const noImageService: ImageFetcher = async (imageId) => {
  throw new Invalid(`image ${imageId} cannot be downloaded: this nova-compute has no image service client`)
}

/**
 * The hypervisor drivers `[DEFAULT] compute_driver` can name (Nova's `<module>.<Class>` spelling), each a factory
 * from configuration. `libvirt.LibvirtDriver` is an alias of the QEMU driver (it honours `[libvirt] virt_type`).
 */
export const COMPUTE_DRIVERS: Readonly<
  Record<string, (config: NovaConfig, deps: DriverDeps) => HypervisorDriver>
> = {
  'fake.FakeDriver': fakeDriverFromConfig,
  'qemu.QemuDriver': (config, deps) => qemuDriverFromConfig(config, deps.fetchImage ?? noImageService),
  'libvirt.LibvirtDriver': (config, deps) => qemuDriverFromConfig(config, deps.fetchImage ?? noImageService),
}

/** The driver `compute_driver` names; Invalid (naming the known ones) for any other. */
export function loadComputeDriver(
  config: NovaConfig,
  name = config.DEFAULT.compute_driver,
  deps: DriverDeps = {},
): HypervisorDriver {
  const factory = COMPUTE_DRIVERS[name]
  if (factory === undefined)
    throw new Invalid(
      `compute_driver ${name} is not available here; known drivers: ${Object.keys(COMPUTE_DRIVERS).join(', ')}`,
    )
  return factory(config, deps)
}
