import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { cpioNewc } from './cpio.js'

describe('the newc cpio writer', () => {
  it('writes 070701 headers, names and data padded to 4 bytes, device numbers, and the trailer', () => {
    const archive = cpioNewc([
      { name: 'init', type: 'file', mode: 0o755, data: new TextEncoder().encode('#!/bin/sh\n') },
      { name: 'dev', type: 'dir', mode: 0o755 },
      { name: 'dev/console', type: 'char', mode: 0o600, rdev: { major: 5, minor: 1 } },
    ])
    const text = archive.toString('latin1')
    assert.equal(archive.length % 4, 0)
    assert.equal(text.match(/070701/g)?.length, 4)
    // init: inode 1, mode 0100755, size 10, name length 5 ("init\0").
    assert.equal(
      text.slice(0, 6 + 8 * 13),
      `070701${['1', '81ed', '0', '0', '1', '0', 'a', '0', '0', '0', '0', '5', '0'].map((f) => f.padStart(8, '0')).join('')}`,
    )
    assert.equal(text.slice(110, 115), 'init\0')
    assert.equal(text.slice(116, 126), '#!/bin/sh\n')
    const console = text.indexOf('dev/console')
    const header = text.slice(console - 110, console)
    assert.equal(header.slice(6 + 8, 6 + 16), '00002180', 'a character device, 0600')
    assert.equal(header.slice(6 + 8 * 9, 6 + 8 * 11), '0000000500000001', 'rdev 5:1')
    assert.ok(text.includes('TRAILER!!!\0'))
  })
})
