import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { devicesOf, ephemeralBaseName, ephemeralFs, mkfsArgs, swapBaseName } from './guest-devices.js'

describe("a guest's devices beyond its root disk", () => {
  it('formats ephemeral disks as Nova does: default_ephemeral_format, else by os_type (vfat when unknown)', () => {
    assert.equal(ephemeralFs(undefined), 'vfat')
    assert.equal(ephemeralFs('linux'), 'ext4')
    assert.equal(ephemeralFs('windows'), 'ntfs')
    assert.equal(ephemeralFs('linux', 'xfs'), 'xfs')
    assert.equal(ephemeralFs('linux', ''), 'ext4', 'an empty option is unset')
    assert.deepEqual(mkfsArgs('vfat', 'ephemeral0', '/f'), ['-t', 'vfat', '-n', 'ephemeral0', '/f'])
    assert.deepEqual(mkfsArgs('ext4', 'ephemeral0', '/f'), [
      '-t',
      'ext4',
      '-F',
      '-q',
      '-L',
      'ephemeral0',
      '/f',
    ])
    assert.deepEqual(mkfsArgs('ntfs', 'ephemeral0', '/f'), [
      '-t',
      'ntfs',
      '-F',
      '-Q',
      '-L',
      'ephemeral0',
      '/f',
    ])
  })

  it('names the cached bases by size and filesystem, so guests of one flavor share them', () => {
    assert.match(ephemeralBaseName(1, 'ext4'), /^ephemeral_1_[0-9a-f]{7}$/)
    assert.equal(ephemeralBaseName(1, 'ext4'), ephemeralBaseName(1, 'ext4'))
    assert.notEqual(ephemeralBaseName(1, 'ext4'), ephemeralBaseName(1, 'vfat'))
    assert.notEqual(ephemeralBaseName(1, 'ext4'), ephemeralBaseName(2, 'ext4'))
    assert.equal(swapBaseName(64), 'swap_64')
  })

  it('turns the record into the launch spec: which local disks, which firmware', () => {
    assert.deepEqual(devicesOf({}), {})
    assert.deepEqual(devicesOf({ localDisks: { swap: { mb: 64 } } }), {
      localDisks: { ephemeral: false, swap: true },
    })
    assert.deepEqual(
      devicesOf({ localDisks: { ephemeral: { gb: 1, fs: 'vfat' } }, uefi: { code: '/ovmf/code.fd' } }),
      { localDisks: { ephemeral: true, swap: false }, uefi: { code: '/ovmf/code.fd' } },
    )
  })
})
