import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { buildBootDisk } from './boot-disk.js'
import { cpioNewc, type CpioEntry } from './cpio.js'
import {
  TEST_GUEST_CMDLINE,
  TEST_GUEST_INIT,
  TEST_GUEST_MODULES,
  TEST_GUEST_POWER_BUTTON,
} from './test-guest-init.js'

const run = promisify(execFile)

/** Where `.ci/run` (and the README's host setup) puts the kernel package: `apt-get download` into this folder. */
export const DEFAULT_DEB_DIR = '/var/cache/nova-ts/debs'

export interface TestImageFiles {
  /** The Debian cloud kernel (register as an `aki` image). */
  readonly kernel: string
  /** The busybox initramfs (an `ari` image). */
  readonly initramfs: string
  /** A small blank root disk (the `ami`/raw image whose kernel_id/ramdisk_id point at the two above). */
  readonly disk: string
  /** The kernel command line (image property os_command_line). */
  readonly cmdline: string
  /**
   * The same guest as one bootable qcow2 disk (MBR, FAT32, syslinux for BIOS and UEFI, the kernel and initramfs,
   * booting `cmdline`): a `qcow2` image without kernel_id. Written when asked (`bootDisk: true`).
   */
  readonly bootDisk?: string
  readonly kernelVersion: string
}

/** The newest `linux-image-<version>-cloud-amd64_*.deb` in `debDir`. */
export async function findCloudKernelDeb(debDir: string): Promise<string> {
  const names = await readdir(debDir).catch(() => [] as string[])
  const debs = names.filter((n) => /^linux-image-\d[\w.+-]*-cloud-amd64_.*_amd64\.deb$/.test(n)).sort()
  const newest = debs.at(-1)
  if (newest === undefined)
    throw new Error(
      `no linux-image-*-cloud-amd64 .deb in ${debDir}; fetch it with: mkdir -p ${debDir} && cd ${debDir} && ` +
        `apt-get download $(apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: //p' | grep '^linux-image-')`,
    )
  return path.join(debDir, newest)
}

/**
 * Builds the tiny test guest of the QEMU lab notes without network access: the kernel and the needed modules
 * come from Debian's cloud kernel package (a .deb in `debDir`, only read), busybox from the busybox-static
 * package; the initramfs (a newc cpio, gzipped) is written here. Writes vmlinuz, initramfs.gz and disk.raw, and
 * with `bootDisk` also disk.qcow2, the whole bootable disk (boot-disk.ts).
 */
export async function buildTestImage(options: {
  readonly output: string
  readonly debDir?: string
  readonly busybox?: string
  readonly bootDisk?: boolean
}): Promise<TestImageFiles> {
  const deb = await findCloudKernelDeb(options.debDir ?? DEFAULT_DEB_DIR)
  const busybox = await readFile(options.busybox ?? '/bin/busybox')
  if (busybox.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error('busybox is not an ELF binary')
  const work = await mkdtemp(path.join(tmpdir(), 'nova-test-image-'))
  try {
    const patterns = ['./boot/vmlinuz-*', ...TEST_GUEST_MODULES.map((m) => `*/${m}.ko`)]
    const extract = 'set -o pipefail; dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards "${@:3}"'
    await run('bash', ['-c', extract, 'bash', deb, work, ...patterns])
    const boot = await readdir(path.join(work, 'boot'))
    const vmlinuz = boot.find((n) => n.startsWith('vmlinuz-'))
    if (vmlinuz === undefined) throw new Error(`${deb} has no boot/vmlinuz-*`)
    const kernelVersion = vmlinuz.slice('vmlinuz-'.length)
    const modules = new Map<string, Buffer>()
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) await walk(full)
        else if (entry.name.endsWith('.ko')) modules.set(entry.name.slice(0, -3), await readFile(full))
      }
    }
    await walk(path.join(work, 'lib'))
    const missing = TEST_GUEST_MODULES.filter((m) => !modules.has(m))
    if (missing.length > 0) throw new Error(`${deb} lacks the modules ${missing.join(', ')}`)
    const text = (s: string) => new TextEncoder().encode(s)
    const dirs = [
      'bin',
      'dev',
      'etc',
      'etc/acpi',
      'etc/acpi/PWRF',
      'lib',
      'lib/modules',
      'proc',
      'root',
      'sys',
    ]
    const entries: CpioEntry[] = [
      ...dirs.map((name): CpioEntry => ({ name, type: 'dir', mode: 0o755 })),
      ...['tmp', 'var', 'var/log', 'var/run'].map((name): CpioEntry => ({ name, type: 'dir', mode: 0o1777 })),
      { name: 'dev/console', type: 'char', mode: 0o600, rdev: { major: 5, minor: 1 } },
      { name: 'bin/busybox', type: 'file', mode: 0o755, data: busybox },
      { name: 'init', type: 'file', mode: 0o755, data: text(TEST_GUEST_INIT) },
      { name: 'etc/modules', type: 'file', mode: 0o644, data: text(`${TEST_GUEST_MODULES.join('\n')}\n`) },
      { name: 'etc/acpi/PWRF/00000080', type: 'file', mode: 0o755, data: text(TEST_GUEST_POWER_BUTTON) },
      { name: 'etc/passwd', type: 'file', mode: 0o644, data: text('root:x:0:0:root:/root:/bin/sh\n') },
      { name: 'etc/group', type: 'file', mode: 0o644, data: text('root:x:0:\n') },
      ...TEST_GUEST_MODULES.map((m): CpioEntry => ({
        name: `lib/modules/${m}.ko`,
        type: 'file',
        mode: 0o644,
        data: modules.get(m)!,
      })),
    ]
    await mkdir(options.output, { recursive: true })
    const files: TestImageFiles = {
      kernel: path.join(options.output, 'vmlinuz'),
      initramfs: path.join(options.output, 'initramfs.gz'),
      disk: path.join(options.output, 'disk.raw'),
      cmdline: TEST_GUEST_CMDLINE,
      kernelVersion,
      ...(options.bootDisk === true ? { bootDisk: path.join(options.output, 'disk.qcow2') } : {}),
    }
    await writeFile(files.kernel, await readFile(path.join(work, 'boot', vmlinuz)))
    await writeFile(files.initramfs, gzipSync(cpioNewc(entries), { level: 9 }))
    await writeFile(files.disk, Buffer.alloc(1024 * 1024))
    if (files.bootDisk !== undefined)
      await buildBootDisk({
        output: files.bootDisk,
        kernel: files.kernel,
        initramfs: files.initramfs,
        cmdline: files.cmdline,
      })
    return files
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/**
 * `nova-manage image build-test [--output DIR] [--deb-dir DIR]`: builds the kernel, initramfs and blank disk of
 * the AMI set and the whole bootable disk.qcow2; prints the files built, as JSON.
 */
export async function buildTestImageCommand(opts: { output: string; debDir?: string }): Promise<number> {
  try {
    const files = await buildTestImage({
      output: opts.output,
      bootDisk: true,
      ...(opts.debDir === undefined ? {} : { debDir: opts.debDir }),
    })
    process.stdout.write(`${JSON.stringify(files, null, 2)}\n`)
    return 0
  } catch (error) {
    process.stderr.write(`ERROR: ${(error as Error).message}\n`)
    return 1
  }
}
