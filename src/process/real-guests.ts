import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { ConfigOverrides, LoadedConfig } from '../config/index.js'
import { DEFAULT_DEB_DIR, findCloudKernelDeb } from '../manage/image-commands.js'

const run = promisify(execFile)

/** The host packages real guests need (the README's "Real guests" section and `.ci/run` install them). */
export const REAL_GUEST_PACKAGES = 'qemu-system-x86 qemu-utils busybox-static genisoimage'

/** The drivers that run real guests on QEMU. */
export const QEMU_DRIVER_NAMES: readonly string[] = ['qemu.QemuDriver', 'libvirt.LibvirtDriver']

const runs = (binary: string): Promise<boolean> =>
  run(binary, ['--version']).then(
    () => true,
    () => false,
  )

/** A statically linked busybox (the test guest's initramfs has no C library): an ELF with no dynamic loader. */
async function staticBusybox(file = '/bin/busybox'): Promise<boolean> {
  const data = await readFile(file).catch(() => undefined)
  if (data === undefined || data.subarray(0, 4).toString('latin1') !== '\x7fELF') return false
  return !data.includes('/lib64/ld-linux')
}

/**
 * What this host lacks to run the test guest on QEMU (empty: nothing): `qemu-system-x86_64` and `qemu-img` on
 * the PATH, a static busybox, and Debian's cloud kernel package in `/var/cache/nova-ts/debs`.
 */
export async function missingForRealGuests(debDir = DEFAULT_DEB_DIR): Promise<string[]> {
  const [qemu, qemuImg, busybox, deb] = await Promise.all([
    runs('qemu-system-x86_64'),
    runs('qemu-img'),
    staticBusybox(),
    findCloudKernelDeb(debDir).then(
      () => true,
      () => false,
    ),
  ])
  return [
    ...(qemu ? [] : ['qemu-system-x86_64']),
    ...(qemuImg ? [] : ['qemu-img']),
    ...(busybox ? [] : ['a static /bin/busybox']),
    ...(deb ? [] : [`the linux-image-*-cloud-amd64 .deb in ${debDir}`]),
  ]
}

/** nova-all's choice of hypervisor when nova.conf names none: overrides to load, and the line to log. */
export interface AllInOneDriverChoice {
  readonly overrides: ConfigOverrides
  readonly notice?: { readonly level: 'info' | 'warn'; readonly message: string }
}

/**
 * nova-all with real guests by default: when nova.conf sets no `[DEFAULT] compute_driver`, QEMU and the test
 * guest's inputs make it `qemu.QemuDriver` (with `[libvirt] virt_type = auto` unless that is set), else it stays
 * the fake driver with one line saying how to get real guests. An explicit compute_driver always wins.
 */
export async function chooseAllInOneDriver(
  loaded: Pick<LoadedConfig, 'isSet'>,
  missing: () => Promise<string[]> = missingForRealGuests,
): Promise<AllInOneDriverChoice> {
  if (loaded.isSet('DEFAULT', 'compute_driver')) return { overrides: {} }
  const lacking = await missing()
  if (lacking.length > 0)
    return {
      overrides: {},
      notice: {
        level: 'warn',
        message:
          `nova-all runs the fake driver (no real guests): this host lacks ${lacking.join(', ')}. For real QEMU ` +
          `guests: apt-get install ${REAL_GUEST_PACKAGES} and download the cloud kernel .deb into ` +
          `${DEFAULT_DEB_DIR} (README, "Real guests"), or set [DEFAULT] compute_driver`,
      },
    }
  return {
    overrides: {
      DEFAULT: { compute_driver: 'qemu.QemuDriver' },
      ...(loaded.isSet('libvirt', 'virt_type') ? {} : { libvirt: { virt_type: 'auto' } }),
    },
    notice: { level: 'info', message: 'nova-all runs real guests: compute_driver qemu.QemuDriver' },
  }
}
