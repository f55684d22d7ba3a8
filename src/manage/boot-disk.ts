import { execFile } from 'node:child_process'
import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** Where Debian's syslinux packages put what the boot disk needs. */
export const SYSLINUX_FILES = {
  /** The MBR boot code (syslinux-common): finds the active partition and chains its boot sector. */
  mbr: '/usr/lib/syslinux/mbr/mbr.bin',
  /** The EFI build of syslinux (syslinux-efi), booted by UEFI firmware as the removable-media default loader. */
  efi: '/usr/lib/SYSLINUX.EFI/efi64/syslinux.efi',
  /** Its core module (syslinux-common), beside it. */
  efiCore: '/usr/lib/syslinux/modules/efi64/ldlinux.e64',
} as const

/** The disk's size, and where its one partition starts (sector 2048, 1 MiB, as partitioning tools align). */
const DISK_MIB = 64
const SECTOR = 512
const START_SECTOR = 2048

/** A sector number as the (cylinder, head, sector) triple of an MBR entry (255 heads, 63 sectors a track). */
function chs(lba: number): number[] {
  const cylinder = Math.floor(lba / (255 * 63))
  if (cylinder > 1023) return [0xfe, 0xff, 0xff]
  const head = Math.floor(lba / 63) % 255
  const sector = (lba % 63) + 1
  return [head, ((cylinder >> 2) & 0xc0) | sector, cylinder & 0xff]
}

/**
 * The MBR of a disk of `sectors` sectors: the boot code, one active FAT32 (LBA, type 0x0c) partition from
 * START_SECTOR to the end, and the 0x55AA signature.
 */
export function masterBootRecord(bootCode: Uint8Array, sectors: number, diskId: number): Buffer {
  const mbr = Buffer.alloc(SECTOR)
  mbr.set(bootCode.subarray(0, 440))
  mbr.writeUInt32LE(diskId >>> 0, 440)
  const entry = Buffer.from([0x80, ...chs(START_SECTOR), 0x0c, ...chs(sectors - 1), 0, 0, 0, 0, 0, 0, 0, 0])
  entry.writeUInt32LE(START_SECTOR, 8)
  entry.writeUInt32LE(sectors - START_SECTOR, 12)
  mbr.set(entry, 446)
  mbr[510] = 0x55
  mbr[511] = 0xaa
  return mbr
}

/** syslinux's configuration: boot the kernel and initramfs at once, on the serial console too. */
export const syslinuxConfig = (cmdline: string): string =>
  [
    'DEFAULT linux',
    'PROMPT 0',
    'TIMEOUT 0',
    'SERIAL 0 115200',
    'LABEL linux',
    '  KERNEL /vmlinuz',
    '  INITRD /initramfs.gz',
    `  APPEND ${cmdline}`,
    '',
  ].join('\n')

/**
 * Writes a whole bootable disk as a qcow2 file (`output`): an MBR with one active FAT32 partition holding the
 * kernel, the initramfs and syslinux, booting `cmdline`. Made in a plain file, without mounting anything (the
 * QEMU lab notes' recipe): the MBR written here, mkfs.fat and syslinux's installer at the partition's offset,
 * mtools to copy the files in. It boots under BIOS (SeaBIOS → mbr.bin → syslinux) and under UEFI (OVMF finds
 * `\EFI\BOOT\BOOTX64.EFI`, syslinux.efi, on the FAT partition); both read the same syslinux.cfg.
 * Needs the packages dosfstools, mtools, syslinux, syslinux-common, syslinux-efi and qemu-utils.
 */
export async function buildBootDisk(options: {
  readonly output: string
  readonly kernel: string
  readonly initramfs: string
  readonly cmdline: string
  readonly qemuImg?: string
}): Promise<void> {
  const work = await mkdtemp(`${options.output}.work-`)
  try {
    const raw = path.join(work, 'disk.raw')
    const sectors = (DISK_MIB * 1024 * 1024) / SECTOR
    await writeFile(raw, '')
    await truncate(raw, sectors * SECTOR)
    const mbr = masterBootRecord(await readFile(SYSLINUX_FILES.mbr), sectors, 0x4e4f5641)
    const file = await open(raw, 'r+')
    await file.write(mbr, 0, SECTOR, 0).finally(() => file.close())
    const offset = START_SECTOR * SECTOR
    const kib = ((sectors - START_SECTOR) * SECTOR) / 1024
    await run('mkfs.fat', [
      '-F',
      '32',
      '-n',
      'NOVATSBOOT',
      '--offset',
      String(START_SECTOR),
      raw,
      String(kib),
    ])
    const image = `${raw}@@${offset}`
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' }
    const cfg = path.join(work, 'syslinux.cfg')
    await writeFile(cfg, syslinuxConfig(options.cmdline))
    await run('mmd', ['-i', image, '::/syslinux', '::/EFI', '::/EFI/BOOT'], { env })
    const copies: [string, string][] = [
      [options.kernel, '::/vmlinuz'],
      [options.initramfs, '::/initramfs.gz'],
      [cfg, '::/syslinux/syslinux.cfg'],
      [cfg, '::/EFI/BOOT/syslinux.cfg'],
      [SYSLINUX_FILES.efi, '::/EFI/BOOT/BOOTX64.EFI'],
      [SYSLINUX_FILES.efiCore, '::/EFI/BOOT/ldlinux.e64'],
    ]
    for (const [from, to] of copies) await run('mcopy', ['-i', image, from, to], { env })
    await run('syslinux', ['--offset', String(offset), '--install', '--directory', '/syslinux', raw], { env })
    await run(options.qemuImg ?? 'qemu-img', [
      'convert',
      '-q',
      '-f',
      'raw',
      '-O',
      'qcow2',
      raw,
      options.output,
    ])
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
