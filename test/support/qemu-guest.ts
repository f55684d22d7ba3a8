import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  buildTestImage,
  DEFAULT_DEB_DIR,
  findCloudKernelDeb,
  type TestImageFiles,
} from '../../src/manage/image-commands.js'
import type { ImageMeta } from '../../src/services/compute/driver/driver.js'
import type { ImageFetcher } from '../../src/services/compute/drivers/qemu/image-cache.js'

export { TEST_GUEST_MARKER } from '../../src/manage/test-guest-init.js'

/** Image ids of the test guest as an EC2-style image set: the AMI points at its AKI kernel and ARI ramdisk. */
export const TEST_IMAGE_IDS = {
  ami: '00000000-0000-4000-8000-0000000000a1',
  aki: '00000000-0000-4000-8000-0000000000a2',
  ari: '00000000-0000-4000-8000-0000000000a3',
} as const

/** The image id of the test guest's whole bootable disk (a qcow2 image without kernel_id). */
export const TEST_DISK_IMAGE_ID = '00000000-0000-4000-8000-0000000000a4'

let built: Promise<TestImageFiles> | undefined

/**
 * The tiny test guest (`nova-manage image build-test`). Built once per kernel package and guest definition into
 * a cache folder beside the .deb (shared by the test processes: built in a temporary folder, then renamed), or
 * into a temporary folder when that cannot be written.
 */
export function testGuestFiles(): Promise<TestImageFiles> {
  built ??= (async () => {
    const deb = await findCloudKernelDeb(DEFAULT_DEB_DIR)
    // Keyed by the kernel package and the builder's sources: a change to either builds anew.
    const hash = createHash('sha256').update(path.basename(deb))
    for (const source of ['image-commands.ts', 'cpio.ts', 'test-guest-init.ts', 'boot-disk.ts'])
      hash.update(await readFile(new URL(`../../src/manage/${source}`, import.meta.url)))
    const key = hash.digest('hex').slice(0, 16)
    const cacheRoot = path.join(path.dirname(DEFAULT_DEB_DIR), 'test-guest')
    const cached = path.join(cacheRoot, key)
    try {
      return JSON.parse(await readFile(path.join(cached, 'files.json'), 'utf8')) as TestImageFiles
    } catch {
      // not built yet
    }
    const writable = await mkdir(cacheRoot, { recursive: true }).then(
      () => true,
      () => false,
    )
    const work = await mkdtemp(path.join(writable ? cacheRoot : tmpdir(), 'build-'))
    const files = await buildTestImage({ output: work, bootDisk: true })
    if (!writable) return files
    const moved: TestImageFiles = {
      ...files,
      kernel: path.join(cached, 'vmlinuz'),
      initramfs: path.join(cached, 'initramfs.gz'),
      disk: path.join(cached, 'disk.raw'),
      bootDisk: path.join(cached, 'disk.qcow2'),
    }
    await writeFile(path.join(work, 'files.json'), JSON.stringify(moved))
    // Another test process may have won the race: then its copy is used and ours goes.
    await rename(work, cached).catch(() => rm(work, { recursive: true, force: true }))
    return moved
  })()
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

/** The bootable disk's metadata: a plain qcow2 image (no kernel_id), with extra image properties. */
export function testGuestDiskMeta(properties: Record<string, string> = {}): ImageMeta {
  return {
    id: TEST_DISK_IMAGE_ID,
    name: 'nova-ts-test-guest-disk',
    diskFormat: 'qcow2',
    containerFormat: 'bare',
    properties,
  }
}

/** An image fetcher serving the test guest images from their built files (no image service). */
export function testGuestFetcher(files: TestImageFiles, fetched: string[] = []): ImageFetcher {
  const sources: Record<string, string> = {
    [TEST_IMAGE_IDS.ami]: files.disk,
    [TEST_IMAGE_IDS.aki]: files.kernel,
    [TEST_IMAGE_IDS.ari]: files.initramfs,
    ...(files.bootDisk === undefined ? {} : { [TEST_DISK_IMAGE_ID]: files.bootDisk }),
  }
  return async (imageId, file) => {
    const source = sources[imageId]
    if (source === undefined) throw new Error(`image ${imageId} not found`)
    fetched.push(imageId)
    await copyFile(source, file)
  }
}

/**
 * Kills (SIGKILL) the QEMU processes of the guests under `instancesPath` when the test process exits: guests run
 * detached from their driver, so a test that fails or times out would otherwise leave them running.
 */
export function killGuestsOnExit(instancesPath: string): void {
  process.once('exit', () => killGuestsUnder(instancesPath))
}

/**
 * Kills every QEMU whose command line names `instancesPath` (running guests, and guests still arriving by live
 * migration, whose pidfiles have other names).
 */
export function killGuestsUnder(instancesPath: string): void {
  let pids: string[] = []
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return
  }
  for (const pid of pids) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (cmdline.split('\0')[0]!.includes('qemu-system') && cmdline.includes(`${instancesPath}/`))
        process.kill(Number(pid), 'SIGKILL')
    } catch {
      // gone meanwhile
    }
  }
}
