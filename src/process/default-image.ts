import { createReadStream, readFileSync } from 'node:fs'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../common/logger.js'
import type { NovaConfig } from '../config/index.js'
import { buildTestImage, type TestImageFiles } from '../manage/image-commands.js'
import { imageEndpoint } from '../services/compute-api/images/deps.js'
import { passwordTokenSource } from '../services/identity/client.js'
import { ImageClient } from '../services/image/client.js'
import { placementAccess } from '../services/placement/client.js'
import { QEMU_DRIVER_NAMES } from './real-guests.js'

/** The name of the default image nova-all registers (an AMI whose kernel and ramdisk are its AKI and ARI). */
export const DEFAULT_IMAGE_NAME = 'nova-ts-test-guest'

/** What nova-all registered on its first start with QEMU (`state_path/test-guest/images.json`). */
export interface DefaultImageIds {
  readonly ami: string
  readonly aki: string
  readonly ari: string
}

const registryFile = (config: NovaConfig) => path.join(config.DEFAULT.state_path, 'test-guest', 'images.json')

/** The default image nova-all registered in this state path, if it did. */
export function registeredDefaultImage(config: NovaConfig): DefaultImageIds | undefined {
  try {
    return JSON.parse(readFileSync(registryFile(config), 'utf8')) as DefaultImageIds
  } catch {
    return undefined
  }
}

/**
 * Uploads the three images of the test guest, public: kernel `aki` + ramdisk `ari` + the `ami` that names them.
 * `name` (default nova-ts-test-guest) names the AMI and prefixes the others; `cmdlineExtra` is appended to the
 * guest's kernel command line (e.g. `novats.hb=1` for the heartbeat).
 */
export async function uploadTestGuest(
  images: ImageClient,
  files: TestImageFiles,
  options: { readonly name?: string; readonly cmdlineExtra?: string } = {},
): Promise<DefaultImageIds> {
  const name = options.name ?? DEFAULT_IMAGE_NAME
  const one = async (imageName: string, file: string, format: string, extra: Record<string, string> = {}) =>
    (
      await images.upload(
        { name: imageName, disk_format: format, container_format: format, visibility: 'public', ...extra },
        createReadStream(file),
      )
    ).id
  const aki = await one(`${name}-kernel`, files.kernel, 'aki')
  const ari = await one(`${name}-ramdisk`, files.initramfs, 'ari')
  const ami = await one(name, files.disk, 'ami', {
    kernel_id: aki,
    ramdisk_id: ari,
    os_command_line:
      options.cmdlineExtra === undefined ? files.cmdline : `${files.cmdline} ${options.cmdlineExtra}`,
  })
  return { ami, aki, ari }
}

/**
 * nova-all on QEMU: on the first start in a state path, builds the test guest (`nova-manage image build-test`)
 * and registers it in the image service as the public default image (kernel `aki` + ramdisk `ari` + `ami`), once:
 * the ids are kept in `state_path/test-guest/images.json`, and a later start (or a deleted image) does not
 * register it again. A failure is logged; the cloud runs on without the image.
 */
export async function ensureDefaultImage(config: NovaConfig, logger: Logger): Promise<void> {
  if (!QEMU_DRIVER_NAMES.includes(config.DEFAULT.compute_driver)) return
  if (registeredDefaultImage(config) !== undefined) return
  const dir = path.dirname(registryFile(config))
  try {
    await mkdir(dir, { recursive: true })
    const files = await buildTestImage({ output: dir })
    const images = new ImageClient({
      baseUrl: imageEndpoint(config),
      token: passwordTokenSource(placementAccess(config).credentials),
    })
    const ids = await uploadTestGuest(images, files)
    await writeFile(registryFile(config), `${JSON.stringify(ids, null, 2)}\n`)
    // The image service has its copies now.
    await Promise.all([files.kernel, files.initramfs, files.disk].map((f) => rm(f, { force: true })))
    logger.info(
      { image: ids.ami, name: DEFAULT_IMAGE_NAME },
      'registered the test guest as the default image',
    )
  } catch (error) {
    logger.warn({ err: error }, `the test guest image could not be registered: ${(error as Error).message}`)
  }
}
