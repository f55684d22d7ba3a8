import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import {
  ImagePropertiesFilter,
  satisfiesVersionPredicate,
  versionIntToString,
} from './image-properties-filter.js'

const check = (properties: Record<string, unknown>, host = fakeHost(), ctx = fakeContext()) =>
  ImagePropertiesFilter.check(host, fakeSpec({ image: { properties } }), ctx)

describe('ImagePropertiesFilter', () => {
  it('passes images asking for nothing', () => {
    assert.equal(check({}), undefined)
    assert.equal(check({ os_distro: 'ubuntu' }, fakeHost({ supportedInstances: [] })), undefined)
  })

  it('matches architecture, hypervisor type and vm mode against one supported triple', () => {
    assert.equal(check({ hw_architecture: 'x86_64', img_hv_type: 'qemu', hw_vm_mode: 'hvm' }), undefined)
    assert.equal(check({ hw_architecture: 'amd64', img_hv_type: 'QEMU' }), undefined)
    assert.equal(
      check({ hw_architecture: 'aarch64' }),
      'does not support image properties hw_architecture=aarch64',
    )
    assert.equal(check({ hw_vm_mode: 'xen' }), 'does not support image properties hw_vm_mode=xen')
    const mixed = fakeHost({
      supportedInstances: [
        ['x86_64', 'qemu', 'hvm'],
        ['aarch64', 'kvm', 'hvm'],
      ],
    })
    assert.equal(check({ hw_architecture: 'aarch64', img_hv_type: 'kvm' }, mixed), undefined)
    assert.equal(
      check({ hw_architecture: 'aarch64', img_hv_type: 'qemu' }, mixed),
      'does not support image properties hw_architecture=aarch64, img_hv_type=qemu',
    )
  })

  it('fails hosts advertising no supported instances when something is asked', () => {
    assert.equal(
      check({ img_hv_type: 'qemu' }, fakeHost({ supportedInstances: [] })),
      'does not support image properties img_hv_type=qemu',
    )
  })

  it('uses image_properties_default_architecture for images without hw_architecture', () => {
    const ctx = fakeContext({ imagePropertiesDefaultArchitecture: 'aarch64' })
    assert.equal(check({}, fakeHost(), ctx), 'does not support image properties hw_architecture=aarch64')
    assert.equal(check({ hw_architecture: 'x86_64' }, fakeHost(), ctx), undefined)
  })

  it('checks img_hv_requested_version against the hypervisor version', () => {
    assert.equal(versionIntToString(8002000), '8.2.0')
    assert.equal(check({ img_hv_type: 'qemu', img_hv_requested_version: '>=8.0' }), undefined)
    assert.equal(check({ img_hv_type: 'qemu', img_hv_requested_version: '>= 8.0, < 9' }), undefined)
    assert.equal(
      check({ img_hv_type: 'qemu', img_hv_requested_version: '>=9' }),
      'does not support image properties img_hv_type=qemu, img_hv_requested_version=>=9',
    )
    assert.equal(
      check({ img_hv_type: 'qemu', img_hv_requested_version: 'newest' }),
      "cannot read img_hv_requested_version 'newest'",
    )
    // A host not reporting its version is not checked.
    assert.equal(
      check({ img_hv_type: 'qemu', img_hv_requested_version: '>=9' }, fakeHost({ hypervisorVersion: 0 })),
      undefined,
    )
  })

  it('evaluates version predicates like oslo', () => {
    assert.equal(satisfiesVersionPredicate('==8.2', '8.2.0'), true)
    assert.equal(satisfiesVersionPredicate('!=8.2', '8.2.0'), false)
    assert.equal(satisfiesVersionPredicate('>1.10', '1.9'), false)
    assert.equal(satisfiesVersionPredicate('<1.10', '1.9'), true)
    assert.equal(satisfiesVersionPredicate('>= 1', 'x'), undefined)
    assert.equal(satisfiesVersionPredicate('1.0', '1.0'), undefined)
  })

  it('checks hw_maxphysaddr_bits against the host cpu_info', () => {
    assert.equal(check({ img_hv_type: 'qemu', hw_maxphysaddr_bits: 46 }), undefined)
    assert.equal(
      check({ img_hv_type: 'qemu', hw_maxphysaddr_bits: 48 }),
      'does not support image properties img_hv_type=qemu, hw_maxphysaddr_bits=48',
    )
  })
})
