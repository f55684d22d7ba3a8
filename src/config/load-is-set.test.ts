import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { loadConfig } from './load.js'

describe('loadConfig tells a value given from a default', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-conf-set-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('isSet is true for an option a file or an override names, even with its default value', () => {
    const file = path.join(dir, 'nova.conf')
    writeFileSync(file, '[DEFAULT]\ncompute_driver = fake.FakeDriver\n[libvirt]\n')
    const loaded = loadConfig({ configFiles: [file], overrides: { image_cache: { manager_interval: '5' } } })
    assert.equal(loaded.isSet('DEFAULT', 'compute_driver'), true)
    assert.equal(loaded.isSet('image_cache', 'manager_interval'), true)
    assert.equal(loaded.isSet('libvirt', 'virt_type'), false)
    assert.equal(loaded.config.libvirt.virt_type, 'kvm')
  })
})
