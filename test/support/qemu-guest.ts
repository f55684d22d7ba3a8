import { copyFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildTestImage, type TestImageFiles } from '../../src/manage/image-commands.js'
import type { ImageMeta } from '../../src/services/compute/driver/driver.js'
import type { ImageFetcher } from '../../src/services/compute/drivers/qemu/image-cache.js'

export { TEST_GUEST_MARKER } from '../../src/manage/test-guest-init.js'

/** Image ids of the test guest as an EC2-style image set: the AMI points at its AKI kernel and ARI ramdisk. */
export const TEST_IMAGE_IDS = {
  ami: '00000000-0000-4000-8000-0000000000a1',
  aki: '00000000-0000-4000-8000-0000000000a2',
  ari: '00000000-0000-4000-8000-0000000000a3',
} as const

let built: Promise<TestImageFiles> | undefined

/** The tiny test guest (`nova-manage image build-test`), built once per test process into a temporary folder. */
export function testGuestFiles(): Promise<TestImageFiles> {
  built ??= mkdtemp(path.join(tmpdir(), 'nova-test-guest-')).then((output) => buildTestImage({ output }))
  return built
}

/** The AMI's metadata as the compute manager hands it to the driver. */
export function testGuestImageMeta(files: TestImageFiles): ImageMeta {
  return {
    id: TEST_IMAGE_IDS.ami,
    name: 'nova-ts-test-guest',
    diskFormat: 'ami',
    containerFormat: 'ami',
    properties: {
      kernel_id: TEST_IMAGE_IDS.aki,
      ramdisk_id: TEST_IMAGE_IDS.ari,
      os_command_line: files.cmdline,
    },
  }
}

/** An image fetcher serving the three test guest images from their built files (no image service). */
export function testGuestFetcher(files: TestImageFiles, fetched: string[] = []): ImageFetcher {
  const sources: Record<string, string> = {
    [TEST_IMAGE_IDS.ami]: files.disk,
    [TEST_IMAGE_IDS.aki]: files.kernel,
    [TEST_IMAGE_IDS.ari]: files.initramfs,
  }
  return async (imageId, file) => {
    const source = sources[imageId]
    if (source === undefined) throw new Error(`image ${imageId} not found`)
    fetched.push(imageId)
    await copyFile(source, file)
  }
}
