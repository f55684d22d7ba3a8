import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { masterBootRecord, syslinuxConfig } from './boot-disk.js'

describe('the bootable test disk', () => {
  it('has an MBR with the boot code and one active FAT32 (LBA) partition from 1 MiB to the end', () => {
    const code = new Uint8Array(440).fill(0xeb)
    const sectors = 64 * 2048
    const mbr = masterBootRecord(code, sectors, 0x12345678)
    assert.equal(mbr.length, 512)
    assert.deepEqual([...mbr.subarray(0, 440)], [...code])
    assert.equal(mbr.readUInt32LE(440), 0x12345678)
    const entry = mbr.subarray(446, 462)
    assert.equal(entry[0], 0x80, 'active')
    assert.deepEqual([...entry.subarray(1, 4)], [32, 33, 0], 'CHS of sector 2048 (255 heads, 63 sectors)')
    assert.equal(entry[4], 0x0c, 'FAT32 with LBA')
    assert.equal(entry.readUInt32LE(8), 2048)
    assert.equal(entry.readUInt32LE(12), sectors - 2048)
    assert.deepEqual([...mbr.subarray(462, 510)], new Array(48).fill(0), 'no other partition')
    assert.deepEqual([mbr[510], mbr[511]], [0x55, 0xaa])
    // Past cylinder 1023 an entry holds the LBA marker instead of a CHS address.
    const big = masterBootRecord(code, (20 * 1024 ** 3) / 512, 1)
    assert.deepEqual([...big.subarray(451, 454)], [0xfe, 0xff, 0xff])
  })

  it("boots the kernel and initramfs at once with the test guest's command line, on the serial console", () => {
    assert.equal(
      syslinuxConfig('console=ttyS0,115200 panic=-1 quiet'),
      'DEFAULT linux\nPROMPT 0\nTIMEOUT 0\nSERIAL 0 115200\nLABEL linux\n  KERNEL /vmlinuz\n' +
        '  INITRD /initramfs.gz\n  APPEND console=ttyS0,115200 panic=-1 quiet\n',
    )
  })
})
