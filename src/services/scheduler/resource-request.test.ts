import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { allRequiredTraits, resourceRequestFromSpec } from './resource-request.js'
import { fakeSpec } from './testing/fakes.js'

const plain = (spec: Parameters<typeof resourceRequestFromSpec>[0]) =>
  resourceRequestFromSpec(spec).groups.map((g) => ({
    suffix: g.suffix,
    resources: Object.fromEntries(g.resources),
    required: [...g.required].sort(),
    forbidden: [...g.forbidden].sort(),
  }))

describe('resourceRequestFromSpec', () => {
  it('asks VCPU, MEMORY_MB and DISK_GB = root + ephemeral + swap rounded up to GB', () => {
    const spec = fakeSpec({ flavor: { vcpus: 2, memoryMb: 4096, rootGb: 20, ephemeralGb: 5, swap: 1025 } })
    assert.deepEqual(plain(spec), [
      { suffix: '', resources: { VCPU: 2, MEMORY_MB: 4096, DISK_GB: 27 }, required: [], forbidden: [] },
    ])
  })

  it('leaves the root disk out for boot from volume, and zero amounts out', () => {
    const spec = fakeSpec({ isBfv: true, flavor: { rootGb: 20, ephemeralGb: 0, swap: 0 } })
    assert.deepEqual(plain(spec)[0]!.resources, { VCPU: 1, MEMORY_MB: 2048 })
  })

  it('unsuffixed resources: extra specs override the flavor; 0 removes a class', () => {
    const spec = fakeSpec({
      flavor: { extraSpecs: { 'resources:VCPU': '0', 'resources:PCPU': '2', 'resources:MEMORY_MB': '1024' } },
    })
    assert.deepEqual(plain(spec)[0]!.resources, { PCPU: 2, MEMORY_MB: 1024, DISK_GB: 20 })
  })

  it('a class named in a suffixed group is not asked again in the unsuffixed one', () => {
    const spec = fakeSpec({
      flavor: {
        extraSpecs: { 'resources1:DISK_GB': '50', 'resources_gpu:VGPU': '1', group_policy: 'isolate' },
      },
    })
    const request = resourceRequestFromSpec(spec)
    assert.equal(request.groupPolicy, 'isolate')
    assert.deepEqual(plain(spec), [
      { suffix: '', resources: { VCPU: 1, MEMORY_MB: 2048 }, required: [], forbidden: [] },
      { suffix: '1', resources: { DISK_GB: 50 }, required: [], forbidden: [] },
      { suffix: '_gpu', resources: { VGPU: 1 }, required: [], forbidden: [] },
    ])
  })

  it('traits from extra specs (any group) and image trait: properties (unsuffixed)', () => {
    const spec = fakeSpec({
      flavor: {
        extraSpecs: {
          'trait:HW_CPU_X86_AVX2': 'required',
          'trait:CUSTOM_SLOW': 'forbidden',
          'trait1:CUSTOM_PHYSNET_A': 'required',
          'resources1:SRIOV_NET_VF': '1',
        },
      },
      image: { properties: { 'trait:STORAGE_DISK_SSD': 'required' } },
    })
    const [u, g1] = plain(spec)
    assert.deepEqual(u!.required, ['HW_CPU_X86_AVX2', 'STORAGE_DISK_SSD'])
    assert.deepEqual(u!.forbidden, ['CUSTOM_SLOW'])
    assert.deepEqual(g1!.required, ['CUSTOM_PHYSNET_A'])
    assert.deepEqual([...allRequiredTraits(resourceRequestFromSpec(spec))].sort(), [
      'CUSTOM_PHYSNET_A',
      'HW_CPU_X86_AVX2',
      'STORAGE_DISK_SSD',
    ])
  })

  it('ignores (and reports) bad amounts, bad trait values, bad group policies; other keys are not its business', () => {
    const request = resourceRequestFromSpec(
      fakeSpec({
        flavor: {
          extraSpecs: {
            'resources:VCPU': '-1',
            'resources:lower': '1',
            'trait:X': 'preferred',
            group_policy: 'all',
            'hw:cpu_policy': 'dedicated',
            'resources0x:VCPU': 'nope',
          },
        },
        image: { properties: { 'trait:Y': 'forbidden' } },
      }),
    )
    assert.equal(request.ignored.length, 6)
    assert.equal(request.groupPolicy, undefined)
    assert.deepEqual(Object.fromEntries(request.groups[0]!.resources), {
      VCPU: 1,
      MEMORY_MB: 2048,
      DISK_GB: 20,
    })
  })

  it('drops suffixed groups left empty', () => {
    const spec = fakeSpec({ flavor: { extraSpecs: { 'resources2:VGPU': '0' } } })
    assert.deepEqual(
      plain(spec).map((g) => g.suffix),
      [''],
    )
  })
})
