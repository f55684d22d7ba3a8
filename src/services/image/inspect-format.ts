import { Invalid } from '../../common/errors/index.js'

/**
 * Checks uploaded data against its declared disk format, as Glance's format inspector does: a qcow2 must carry a
 * qcow2 header and may not point at a backing file or an external data file (a known way to make a hypervisor
 * host read its own files). Returns the virtual size when the format tells it (qcow2; raw is its size).
 */
export function inspectFormat(diskFormat: string | null, head: Buffer, size: number): number | null {
  if (diskFormat === 'raw') return size
  if (diskFormat !== 'qcow2') return null
  if (head.length < 72 || head.readUInt32BE(0) !== 0x514649fb)
    throw new Invalid('Image data does not match disk_format qcow2: no qcow2 header.')
  const version = head.readUInt32BE(4)
  if (head.readBigUInt64BE(8) !== 0n) throw new Invalid('qcow2 images with a backing file are not allowed.')
  if (version >= 3 && head.length >= 80 && (head.readBigUInt64BE(72) & 0x4n) !== 0n) {
    throw new Invalid('qcow2 images with an external data file are not allowed.')
  }
  return Number(head.readBigUInt64BE(24))
}
