import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { placementQuery } from './placement-query.js'
import type { PlacementConstraint } from './request-filters/index.js'
import { fakeSpec } from './testing/fakes.js'

const entries = (params: URLSearchParams) => [...params.entries()]
const c = (fields: Partial<PlacementConstraint>): PlacementConstraint => ({
  filter: 'f',
  requires: 'r',
  failure: 'x',
  ...fields,
})

describe('placementQuery', () => {
  it('a plain flavor: limit and the unsuffixed resources, sorted by class', () => {
    const spec = fakeSpec({ flavor: { vcpus: 2, memoryMb: 4096, rootGb: 40, ephemeralGb: 0, swap: 512 } })
    assert.deepEqual(entries(placementQuery(spec, [], { limit: 1000 })), [
      ['limit', '1000'],
      ['resources', 'DISK_GB:41,MEMORY_MB:4096,VCPU:2'],
    ])
    assert.deepEqual(entries(placementQuery(spec, [])), [['resources', 'DISK_GB:41,MEMORY_MB:4096,VCPU:2']])
  })

  it('omits zero amounts', () => {
    const spec = fakeSpec({ isBfv: true, flavor: { rootGb: 10, ephemeralGb: 0, swap: 0 } })
    assert.deepEqual(entries(placementQuery(spec, [])), [['resources', 'MEMORY_MB:2048,VCPU:1']])
  })

  it('request filter constraints: root_required, one member_of in: each, forbidden aggregates in one !in:', () => {
    const spec = fakeSpec()
    const query = placementQuery(spec, [
      c({ rootForbidden: ['COMPUTE_STATUS_DISABLED'] }),
      c({ rootRequired: ['COMPUTE_IMAGE_TYPE_RAW'] }),
      c({ memberOf: ['b-agg', 'a-agg'] }),
      c({ memberOf: ['t-agg'] }),
      c({ forbiddenAggregates: ['z-agg'] }),
      c({ forbiddenAggregates: ['y-agg'] }),
    ])
    assert.deepEqual(entries(query), [
      ['root_required', 'COMPUTE_IMAGE_TYPE_RAW,!COMPUTE_STATUS_DISABLED'],
      ['resources', 'DISK_GB:20,MEMORY_MB:2048,VCPU:1'],
      ['member_of', '!in:y-agg,z-agg'],
      ['member_of', 'in:a-agg,b-agg'],
      ['member_of', 'in:t-agg'],
    ])
  })

  it('granular groups, traits and group_policy from extra specs; image traits unsuffixed', () => {
    const spec = fakeSpec({
      flavor: {
        extraSpecs: {
          'resources1:VGPU': '1',
          'trait1:CUSTOM_NVIDIA': 'required',
          'trait1:CUSTOM_OLD': 'forbidden',
          'resources2:SRIOV_NET_VF': '2',
          'trait:HW_CPU_X86_AVX2': 'required',
          group_policy: 'isolate',
        },
      },
      image: { properties: { 'trait:STORAGE_DISK_SSD': 'required', hw_disk_bus: 'virtio' } },
    })
    assert.deepEqual(entries(placementQuery(spec, [], { limit: 50 })), [
      ['limit', '50'],
      ['group_policy', 'isolate'],
      ['resources', 'DISK_GB:20,MEMORY_MB:2048,VCPU:1'],
      ['required', 'HW_CPU_X86_AVX2,STORAGE_DISK_SSD'],
      ['resources1', 'VGPU:1'],
      ['required1', 'CUSTOM_NVIDIA,!CUSTOM_OLD'],
      ['resources2', 'SRIOV_NET_VF:2'],
    ])
  })

  it("several suffixed groups without group_policy get 'none' (placement requires one)", () => {
    const spec = fakeSpec({ flavor: { extraSpecs: { 'resources1:VGPU': '1', 'resources2:VGPU': '1' } } })
    assert.equal(placementQuery(spec, []).get('group_policy'), 'none')
    const one = fakeSpec({ flavor: { extraSpecs: { 'resources1:VGPU': '1' } } })
    assert.equal(placementQuery(one, []).get('group_policy'), null)
  })

  it('overrides: resources:CLASS in the flavor replaces the flavor amount', () => {
    const spec = fakeSpec({
      flavor: { extraSpecs: { 'resources:DISK_GB': '0', 'resources:CUSTOM_BAREMETAL': '1' } },
    })
    assert.equal(placementQuery(spec, []).get('resources'), 'CUSTOM_BAREMETAL:1,MEMORY_MB:2048,VCPU:1')
  })
})
