import type { Logger } from '../../common/logger.js'
import type { NovaConfig } from '../../config/index.js'
import type { PeriodicTask } from '../../service/periodic.js'
import {
  supportsImageCache,
  type HypervisorDriver,
  type ImageCacheReport,
  type ImageCacheSettings,
} from './driver/driver.js'

/** The image cache manager's settings (Nova's `[image_cache]` options). */
export interface ImageCacheManagerSettings extends ImageCacheSettings {
  /** manager_interval: > 0 seconds between passes; 0 the default periodic spacing; < 0 never. */
  readonly intervalS: number
}

/** Nova's defaults: a pass every 40 minutes, unused images removed a day after their last use. */
export const IMAGE_CACHE_DEFAULTS: ImageCacheManagerSettings = {
  intervalS: 2400,
  removeUnusedBaseImages: true,
  minimumAgeS: 86400,
}

export function imageCacheSettings(config: NovaConfig): ImageCacheManagerSettings {
  return {
    intervalS: config.image_cache.manager_interval,
    removeUnusedBaseImages: config.image_cache.remove_unused_base_images,
    minimumAgeS: config.image_cache.remove_unused_original_minimum_age_seconds,
  }
}

/**
 * One pass of the image cache manager (Nova's _run_image_cache_manager_pass): the driver keeps and touches the
 * cached images its guests use and removes the unused ones past their age. Undefined for a driver without an
 * image cache to age.
 */
export async function runImageCacheManagerPass(
  driver: HypervisorDriver,
  settings: ImageCacheSettings,
  logger: Logger,
): Promise<ImageCacheReport | undefined> {
  if (!supportsImageCache(driver)) return undefined
  const report = await driver.manageImageCache({
    removeUnusedBaseImages: settings.removeUnusedBaseImages,
    minimumAgeS: settings.minimumAgeS,
  })
  if (report.removed.length > 0) logger.info({ removed: report.removed }, 'removed unused cached images')
  return report
}

/** The periodic task `_run_image_cache_manager_pass`, or none (disabled, or a driver without an image cache). */
export function imageCacheManagerTasks(
  driver: HypervisorDriver,
  settings: ImageCacheManagerSettings,
  logger: Logger,
  defaultSpacingS: number,
): PeriodicTask[] {
  if (settings.intervalS < 0 || !supportsImageCache(driver)) return []
  return [
    {
      name: '_run_image_cache_manager_pass',
      spacingS: settings.intervalS === 0 ? defaultSpacingS : settings.intervalS,
      run: async () => {
        await runImageCacheManagerPass(driver, settings, logger)
      },
    },
  ]
}
