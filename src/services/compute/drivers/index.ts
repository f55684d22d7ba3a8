import { Invalid } from '../../../common/errors/index.js'
import type { NovaConfig } from '../../../config/index.js'
import type { HypervisorDriver } from '../driver/driver.js'
import { fakeDriverFromConfig } from './fake/index.js'

/**
 * The hypervisor drivers `[DEFAULT] compute_driver` can name (Nova's `<module>.<Class>` spelling), each a factory
 * from configuration. The QEMU driver adds its entry here.
 */
export const COMPUTE_DRIVERS: Readonly<Record<string, (config: NovaConfig) => HypervisorDriver>> = {
  'fake.FakeDriver': fakeDriverFromConfig,
}

/** The driver `compute_driver` names; Invalid (naming the known ones) for any other. */
export function loadComputeDriver(
  config: NovaConfig,
  name = config.DEFAULT.compute_driver,
): HypervisorDriver {
  const factory = COMPUTE_DRIVERS[name]
  if (factory === undefined)
    throw new Invalid(
      `compute_driver ${name} is not available here; known drivers: ${Object.keys(COMPUTE_DRIVERS).join(', ')}`,
    )
  return factory(config)
}
