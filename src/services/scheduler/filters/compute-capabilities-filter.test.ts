import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ComputeCapabilitiesFilter } from './compute-capabilities-filter.js'

const ctx = fakeContext()
const check = (extraSpecs: Record<string, string>, host = fakeHost()) =>
  ComputeCapabilitiesFilter.check(host, fakeSpec({ flavor: { extraSpecs } }), ctx)

describe('ComputeCapabilitiesFilter', () => {
  it('passes flavors without extra specs, and ignores other scopes', () => {
    assert.equal(check({}), undefined)
    assert.equal(check({ 'hw:cpu_policy': 'dedicated', 'resources:VCPU': '0' }), undefined)
  })

  it('checks capabilities-scoped host attributes with the operators', () => {
    assert.equal(check({ 'capabilities:hypervisor_type': 's== QEMU' }), undefined)
    assert.equal(
      check({ 'capabilities:hypervisor_type': 's== KVM' }),
      "capabilities:hypervisor_type does not match 's== KVM'",
    )
    assert.equal(check({ 'capabilities:free_ram_mb': '>= 16384' }), undefined)
    assert.equal(
      check({ 'capabilities:free_ram_mb': '>= 16385' }),
      "capabilities:free_ram_mb does not match '>= 16385'",
    )
    assert.equal(check({ 'capabilities:vcpus_total': '8' }), undefined)
  })

  it('checks unscoped keys only when they name a host attribute or a stat', () => {
    assert.equal(check({ free_ram_mb: '= 99999' }), "free_ram_mb does not match '= 99999'")
    assert.equal(check({ no_such_thing: 'x' }), undefined)
    const host = fakeHost({ stats: { gpu: 'yes' } })
    assert.equal(check({ gpu: 'yes' }, host), undefined)
    assert.equal(check({ gpu: 'no' }, host), "gpu does not match 'no'")
  })

  it('descends into cpu_info JSON and stats', () => {
    assert.equal(check({ 'capabilities:cpu_info:arch': 'x86_64' }), undefined)
    assert.equal(check({ 'capabilities:cpu_info:features': '<in> avx' }), undefined)
    assert.equal(
      check({ 'capabilities:cpu_info:features': '<all-in> avx vmx' }),
      "capabilities:cpu_info:features does not match '<all-in> avx vmx'",
    )
    const host = fakeHost({ stats: { numa: '{"nodes": 2}' } })
    assert.equal(check({ 'capabilities:numa:nodes': '>= 2' }, host), undefined)
    assert.equal(check({ 'capabilities:stats:numa': '<in> nodes' }, host), undefined)
  })

  it('fails hosts lacking the capability', () => {
    assert.equal(check({ 'capabilities:cpu_info:vendor': 'Intel' }), 'has no capability cpu_info:vendor')
    assert.equal(check({ 'capabilities:missing': 'x' }), 'has no capability missing')
    const broken = fakeHost({ cpuInfo: 'not json' })
    assert.equal(check({ 'capabilities:cpu_info:arch': 'x86_64' }, broken), 'has no capability cpu_info:arch')
  })

  it('checks hw:maxphysaddr_bits against cpu_info maxphysaddr bits', () => {
    assert.equal(check({ 'hw:maxphysaddr_bits': '46' }), undefined)
    assert.equal(
      check({ 'hw:maxphysaddr_bits': '48' }),
      "capabilities:cpu_info:maxphysaddr:bits does not match '>= 48'",
    )
  })

  it('gives the same reason for every host failing on the same spec', () => {
    const a = check({ 'capabilities:hypervisor_type': 's== KVM' }, fakeHost({ host: 'a' }))
    const b = check(
      { 'capabilities:hypervisor_type': 's== KVM' },
      fakeHost({ host: 'b', hypervisorType: 'xen' }),
    )
    assert.equal(a, b)
  })
})
