import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { silentLogger } from '../../common/logger.js'
import { DEFAULT_CAPABILITIES } from './driver/capabilities.js'
import { supportsImageCache, type HypervisorDriver, type ImageCacheSettings } from './driver/driver.js'
import { FakeDriver } from './drivers/fake/fake-driver.js'
import { QEMU_CAPABILITIES, QemuDriver } from './drivers/qemu/index.js'
import { IMAGE_CACHE_DEFAULTS, imageCacheManagerTasks, runImageCacheManagerPass } from './image-cache-pass.js'

/** A driver with just what the image cache manager looks at. */
function driverWith(hasImageCache: boolean, calls: ImageCacheSettings[]): HypervisorDriver {
  return {
    capabilities: { ...DEFAULT_CAPABILITIES, hasImageCache },
    async manageImageCache(settings: ImageCacheSettings) {
      calls.push(settings)
      return { inUse: [], removed: ['x'], kept: [] }
    },
  } as unknown as HypervisorDriver
}

describe("nova-compute's image cache manager pass", () => {
  const logger = silentLogger()

  it('runs every manager_interval (0: the default spacing, < 0: never) for a driver with an image cache', () => {
    const driver = driverWith(true, [])
    const spacing = (intervalS: number) =>
      imageCacheManagerTasks(driver, { ...IMAGE_CACHE_DEFAULTS, intervalS }, logger, 60).map((t) => [
        t.name,
        t.spacingS,
      ])
    assert.deepEqual(spacing(2400), [['_run_image_cache_manager_pass', 2400]])
    assert.deepEqual(spacing(0), [['_run_image_cache_manager_pass', 60]])
    assert.deepEqual(spacing(-1), [])
    assert.deepEqual(imageCacheManagerTasks(driverWith(false, []), IMAGE_CACHE_DEFAULTS, logger, 60), [])
  })

  it('both drivers that claim an image cache implement its pass (fake: nothing to age; qemu)', async () => {
    const fake = new FakeDriver({ nodename: 'n1', vcpus: 1, memoryMb: 512, localGb: 1 })
    assert.ok(supportsImageCache(fake))
    assert.deepEqual(await runImageCacheManagerPass(fake, IMAGE_CACHE_DEFAULTS, logger), {
      inUse: [],
      removed: [],
      kept: [],
    })
    const qemu = new QemuDriver({
      instancesPath: '/nonexistent',
      virtType: 'qemu',
      fetchImage: async () => {},
    })
    assert.ok(QEMU_CAPABILITIES.hasImageCache && supportsImageCache(qemu))
  })

  it("hands the driver Nova's remove_unused_* settings and returns its report", async () => {
    const calls: ImageCacheSettings[] = []
    const settings = { intervalS: 5, removeUnusedBaseImages: false, minimumAgeS: 7 }
    const report = await runImageCacheManagerPass(driverWith(true, calls), settings, logger)
    assert.deepEqual(report, { inUse: [], removed: ['x'], kept: [] })
    assert.deepEqual(calls, [{ removeUnusedBaseImages: false, minimumAgeS: 7 }])
    assert.equal(await runImageCacheManagerPass(driverWith(false, calls), settings, logger), undefined)
    assert.equal(calls.length, 1, 'a driver without an image cache is not asked')
  })
})
