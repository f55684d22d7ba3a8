/** One entry of a `newc` cpio archive (the initramfs format the kernel unpacks). */
export interface CpioEntry {
  readonly name: string
  readonly type: 'file' | 'dir' | 'char'
  /** Permission bits (e.g. 0o755). */
  readonly mode: number
  readonly data?: Uint8Array
  /** Device numbers of a character device. */
  readonly rdev?: { readonly major: number; readonly minor: number }
}

const TYPE_BITS = { file: 0o100000, dir: 0o040000, char: 0o020000 } as const
const hex = (n: number) => n.toString(16).padStart(8, '0')
const pad4 = (n: number) => (4 - (n % 4)) % 4

/** A `newc` ("070701") cpio archive of `entries`, ending with TRAILER!!!; owned by root, mtime 0 (reproducible). */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = []
  let ino = 1
  const add = (entry: CpioEntry) => {
    const data = Buffer.from(entry.data ?? new Uint8Array())
    const name = Buffer.from(`${entry.name}\0`)
    const fields = [
      ino++,
      TYPE_BITS[entry.type] | entry.mode,
      0,
      0,
      entry.type === 'dir' ? 2 : 1,
      0,
      data.length,
      0,
      0,
      entry.rdev?.major ?? 0,
      entry.rdev?.minor ?? 0,
      name.length,
      0,
    ]
    const header = Buffer.from(`070701${fields.map(hex).join('')}`)
    parts.push(
      header,
      name,
      Buffer.alloc(pad4(header.length + name.length)),
      data,
      Buffer.alloc(pad4(data.length)),
    )
  }
  for (const entry of entries) add(entry)
  add({ name: 'TRAILER!!!', type: 'file', mode: 0 })
  return Buffer.concat(parts)
}
