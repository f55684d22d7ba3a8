import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { computeCandidates } from './compute-candidates.js'
import type { CandidateResult, PlacementSnapshot } from './model.js'
import {
  buildRequest,
  buildSnapshot,
  type GroupSpec,
  type ProviderSpec,
  type RequestSpec,
} from './snapshot-builder.js'

type Plain = { allocations: Record<string, Record<string, number>>; mappings: Record<string, string[]> }

/** Allocation requests as plain objects, in the order returned. */
function plain(result: CandidateResult): Plain[] {
  return result.allocationRequests.map((request) => ({
    allocations: Object.fromEntries(
      [...request.allocations].map(([uuid, byClass]) => [uuid, Object.fromEntries(byClass)]),
    ),
    mappings: Object.fromEntries([...request.mappings].map(([suffix, uuids]) => [suffix, [...uuids]])),
  }))
}

function run(snapshot: PlacementSnapshot, spec: RequestSpec, random?: () => number): Plain[] {
  return plain(computeCandidates(snapshot, buildRequest(spec), random ? { random } : {}))
}

/** The providers each group maps to, one string per request: `suffix=uuid+uuid suffix=uuid` (by suffix). */
function mappingLines(results: readonly Plain[]): string[] {
  return results.map((r) =>
    Object.entries(r.mappings)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([suffix, uuids]) => `${suffix}=${uuids.join('+')}`)
      .join(' '),
  )
}

const AGG_A = 'aaaaaaaa-0000-0000-0000-000000000001'
const AGG_B = 'bbbbbbbb-0000-0000-0000-000000000002'

/** cn1 (DISK_GB) with two NUMA children (VCPU, MEMORY_MB), each with one PF (SRIOV_NET_VF). */
function numaTree(root: string, extra: Partial<Record<string, Partial<ProviderSpec>>> = {}): ProviderSpec[] {
  const specs: ProviderSpec[] = [
    { uuid: root, inventories: { DISK_GB: 100 } },
    {
      uuid: `${root}-numa0`,
      parent: root,
      inventories: { VCPU: 4, MEMORY_MB: 1024 },
      traits: ['HW_NUMA_ROOT'],
    },
    {
      uuid: `${root}-numa1`,
      parent: root,
      inventories: { VCPU: 4, MEMORY_MB: 1024 },
      traits: ['HW_NUMA_ROOT'],
    },
    {
      uuid: `${root}-pf0`,
      parent: `${root}-numa0`,
      inventories: { SRIOV_NET_VF: 4 },
      traits: ['CUSTOM_PHYSNET_A'],
    },
    {
      uuid: `${root}-pf1`,
      parent: `${root}-numa1`,
      inventories: { SRIOV_NET_VF: 4 },
      traits: ['CUSTOM_PHYSNET_B'],
    },
  ]
  return specs.map((spec) => ({ ...spec, ...extra[spec.uuid] }))
}

describe('computeCandidates: one provider and capacity', () => {
  it('returns the one provider that has everything, with its mapping and summary', () => {
    const snapshot = buildSnapshot([{ uuid: 'cn1', inventories: { VCPU: 8, MEMORY_MB: 2048 } }])
    const result = computeCandidates(
      snapshot,
      buildRequest({ groups: [{ resources: { VCPU: 2, MEMORY_MB: 512 } }] }),
    )
    assert.deepEqual(plain(result), [
      { allocations: { cn1: { VCPU: 2, MEMORY_MB: 512 } }, mappings: { '': ['cn1'] } },
    ])
    assert.deepEqual(result.summaryProviders, ['cn1'])
  })

  it('returns nothing when a class is missing from the provider', () => {
    const snapshot = buildSnapshot([{ uuid: 'cn1', inventories: { VCPU: 8 } }])
    assert.deepEqual(run(snapshot, { groups: [{ resources: { VCPU: 1, DISK_GB: 1 } }] }), [])
  })

  it('applies reserved, allocation ratio (rounded down), used, step size, min and max unit', () => {
    const cases: { inv: ProviderSpec['inventories']; amount: number; fits: boolean }[] = [
      // (10 − 2) × 1.5 = 12 − 9 used = 3 free
      { inv: { VCPU: { total: 10, reserved: 2, allocationRatio: 1.5, used: 9 } }, amount: 3, fits: true },
      { inv: { VCPU: { total: 10, reserved: 2, allocationRatio: 1.5, used: 9 } }, amount: 4, fits: false },
      // (3 − 0) × 1.5 = 4.5 → capacity 4
      { inv: { VCPU: { total: 3, allocationRatio: 1.5, maxUnit: 8 } }, amount: 4, fits: true },
      { inv: { VCPU: { total: 3, allocationRatio: 1.5, maxUnit: 8 } }, amount: 5, fits: false },
      // reserved equal to total leaves nothing
      { inv: { VCPU: { total: 4, reserved: 4 } }, amount: 1, fits: false },
      { inv: { VCPU: { total: 16, stepSize: 4 } }, amount: 6, fits: false },
      { inv: { VCPU: { total: 16, stepSize: 4 } }, amount: 8, fits: true },
      { inv: { VCPU: { total: 16, minUnit: 2 } }, amount: 1, fits: false },
      { inv: { VCPU: { total: 16, maxUnit: 4 } }, amount: 5, fits: false },
      { inv: { VCPU: { total: 16, maxUnit: 4 } }, amount: 4, fits: true },
    ]
    for (const { inv, amount, fits } of cases) {
      const snapshot = buildSnapshot([{ uuid: 'cn1', inventories: inv }])
      const found = run(snapshot, { groups: [{ resources: { VCPU: amount } }] }).length
      assert.equal(found, fits ? 1 : 0, `${JSON.stringify(inv)} amount ${amount}`)
    }
  })

  it('adds up what several groups take from one provider against capacity and max_unit', () => {
    const twoGroups = (snapshot: PlacementSnapshot): Plain[] =>
      run(snapshot, {
        groups: [
          { suffix: '1', resources: { VCPU: 3 } },
          { suffix: '2', resources: { VCPU: 3 } },
        ],
        groupPolicy: 'none',
      })
    assert.deepEqual(twoGroups(buildSnapshot([{ uuid: 'cn1', inventories: { VCPU: 6 } }])), [
      { allocations: { cn1: { VCPU: 6 } }, mappings: { '1': ['cn1'], '2': ['cn1'] } },
    ])
    assert.deepEqual(twoGroups(buildSnapshot([{ uuid: 'cn1', inventories: { VCPU: 5 } }])), [])
    // Enough capacity, but the merged 6 exceeds max_unit 4 (placement checks the merged amount).
    const maxUnit = buildSnapshot([{ uuid: 'cn1', inventories: { VCPU: { total: 16, maxUnit: 4 } } }])
    assert.deepEqual(twoGroups(maxUnit), [])
  })
})

describe('computeCandidates: the unsuffixed group on nested trees', () => {
  it('spreads classes over providers of one tree: VCPU and MEMORY_MB on NUMA children, DISK_GB on the root', () => {
    const snapshot = buildSnapshot(numaTree('cn1'))
    const results = run(snapshot, { groups: [{ resources: { VCPU: 2, MEMORY_MB: 512, DISK_GB: 10 } }] })
    assert.equal(results.length, 4)
    assert.deepEqual(results[0], {
      allocations: { 'cn1-numa0': { VCPU: 2, MEMORY_MB: 512 }, cn1: { DISK_GB: 10 } },
      mappings: { '': ['cn1', 'cn1-numa0'] },
    })
    assert.deepEqual(mappingLines(results), [
      '=cn1+cn1-numa0',
      '=cn1+cn1-numa0+cn1-numa1',
      '=cn1+cn1-numa0+cn1-numa1',
      '=cn1+cn1-numa1',
    ])
    // Each class comes wholly from one provider.
    for (const r of results) {
      const vcpuHolders = Object.values(r.allocations).filter((byClass) => byClass.VCPU !== undefined)
      assert.equal(vcpuHolders.length, 1)
    }
  })

  it('never mixes two trees in one request', () => {
    const snapshot = buildSnapshot([
      { uuid: 'cnA', inventories: { VCPU: 4 } },
      { uuid: 'cnB', inventories: { MEMORY_MB: 1024 } },
    ])
    assert.deepEqual(run(snapshot, { groups: [{ resources: { VCPU: 1, MEMORY_MB: 1 } }] }), [])
  })

  it('below 1.29 (nestedAware false) drops requests that take from two providers of a tree', () => {
    const snapshot = buildSnapshot([
      ...numaTree('cn1'),
      { uuid: 'flat', inventories: { VCPU: 4, DISK_GB: 50 } },
    ])
    const spec: RequestSpec = { groups: [{ resources: { VCPU: 1, DISK_GB: 10 } }], nestedAware: false }
    const result = computeCandidates(snapshot, buildRequest(spec))
    assert.deepEqual(
      plain(result).map((r) => Object.keys(r.allocations)),
      [['flat']],
    )
    assert.deepEqual(result.summaryProviders, ['flat'])
  })

  it('satisfies required traits with the union of the contributing providers only', () => {
    const snapshot = buildSnapshot(numaTree('cn1', { cn1: { traits: ['HW_CPU_X86_AVX2'] } }))
    // DISK_GB from the root brings the root's trait in.
    const withRoot = run(snapshot, {
      groups: [
        { resources: { VCPU: 1, DISK_GB: 1 }, required: { allOf: ['HW_CPU_X86_AVX2', 'HW_NUMA_ROOT'] } },
      ],
    })
    assert.equal(withRoot.length, 2)
    // VCPU alone comes from a NUMA node, which lacks the trait; the root does not contribute.
    const withoutRoot = run(snapshot, {
      groups: [{ resources: { VCPU: 1 }, required: { allOf: ['HW_CPU_X86_AVX2'] } }],
    })
    assert.deepEqual(withoutRoot, [])
  })

  it('refuses any contributing provider with a forbidden trait, but ignores non-contributing ones', () => {
    const snapshot = buildSnapshot(
      numaTree('cn1', { cn1: { traits: ['CUSTOM_BAD'] }, 'cn1-numa0': { traits: ['CUSTOM_BAD'] } }),
    )
    const results = run(snapshot, {
      groups: [{ resources: { VCPU: 1 }, required: { forbidden: ['CUSTOM_BAD'] } }],
    })
    assert.deepEqual(mappingLines(results), ['=cn1-numa1'])
    const withDisk = run(snapshot, {
      groups: [{ resources: { VCPU: 1, DISK_GB: 1 }, required: { forbidden: ['CUSTOM_BAD'] } }],
    })
    assert.deepEqual(withDisk, [])
  })

  it('matches member_of against the provider or its root; forbidden aggregates on either exclude it', () => {
    const snapshot = buildSnapshot([
      ...numaTree('cn1', { cn1: { aggregates: [AGG_A] } }),
      ...numaTree('cn2', { 'cn2-numa1': { aggregates: [AGG_A] }, cn2: { aggregates: [AGG_B] } }),
    ])
    const inA = run(snapshot, { groups: [{ resources: { VCPU: 1 }, memberOf: { anyOf: [[AGG_A]] } }] })
    assert.deepEqual(mappingLines(inA), ['=cn1-numa0', '=cn1-numa1', '=cn2-numa1'])
    const notB = run(snapshot, { groups: [{ resources: { VCPU: 1 }, memberOf: { forbidden: [AGG_B] } }] })
    assert.deepEqual(mappingLines(notB), ['=cn1-numa0', '=cn1-numa1'])
    // Every anyOf set must be met by the provider alone or by the root alone.
    const both = run(snapshot, {
      groups: [{ resources: { VCPU: 1 }, memberOf: { anyOf: [[AGG_A], [AGG_B]] } }],
    })
    assert.deepEqual(both, [])
  })
})

describe('computeCandidates: granular groups', () => {
  const twoVfs = (policy: 'none' | 'isolate'): RequestSpec => ({
    groups: [
      { suffix: '1', resources: { SRIOV_NET_VF: 1 } },
      { suffix: '2', resources: { SRIOV_NET_VF: 1 } },
    ],
    groupPolicy: policy,
  })

  it('group_policy none lets two groups share a provider; isolate does not', () => {
    const snapshot = buildSnapshot(numaTree('cn1'))
    assert.deepEqual(mappingLines(run(snapshot, twoVfs('none'))), [
      '1=cn1-pf0 2=cn1-pf0',
      '1=cn1-pf0 2=cn1-pf1',
      '1=cn1-pf1 2=cn1-pf0',
      '1=cn1-pf1 2=cn1-pf1',
    ])
    const isolated = run(snapshot, twoVfs('isolate'))
    assert.deepEqual(mappingLines(isolated), ['1=cn1-pf0 2=cn1-pf1', '1=cn1-pf1 2=cn1-pf0'])
    assert.deepEqual(isolated[0]!.allocations, {
      'cn1-pf0': { SRIOV_NET_VF: 1 },
      'cn1-pf1': { SRIOV_NET_VF: 1 },
    })
  })

  it('isolate does not apply between the unsuffixed group and a granular group', () => {
    const snapshot = buildSnapshot([{ uuid: 'cn1', inventories: { VCPU: 4 } }])
    const results = run(snapshot, {
      groups: [{ resources: { VCPU: 1 } }, { suffix: '1', resources: { VCPU: 1 } }],
      groupPolicy: 'isolate',
    })
    assert.deepEqual(results, [
      { allocations: { cn1: { VCPU: 2 } }, mappings: { '': ['cn1'], '1': ['cn1'] } },
    ])
  })

  it('takes all of a group from one provider that itself has the traits', () => {
    const snapshot = buildSnapshot(numaTree('cn1', { cn1: { traits: ['CUSTOM_X'] } }))
    const results = run(snapshot, {
      groups: [{ suffix: '1', resources: { VCPU: 1, DISK_GB: 1 } }],
    })
    assert.deepEqual(results, [], 'no single provider has both VCPU and DISK_GB')
    const traitOnRoot = run(snapshot, {
      groups: [{ suffix: '1', resources: { VCPU: 1 }, required: { allOf: ['CUSTOM_X'] } }],
    })
    assert.deepEqual(traitOnRoot, [], 'the root trait does not count for a granular group')
  })

  it('honours forbidden and anyOf traits on the provider', () => {
    const snapshot = buildSnapshot([
      { uuid: 'p1', inventories: { VCPU: 1 }, traits: ['A'] },
      { uuid: 'p2', inventories: { VCPU: 1 }, traits: ['B', 'X'] },
      { uuid: 'p3', inventories: { VCPU: 1 }, traits: ['C'] },
      { uuid: 'p4', inventories: { VCPU: 1 }, traits: ['B'] },
    ])
    const anyOf = run(snapshot, {
      groups: [{ suffix: '1', resources: { VCPU: 1 }, required: { anyOf: [['A', 'B']] } }],
    })
    assert.deepEqual(mappingLines(anyOf), ['1=p1', '1=p2', '1=p4'])
    const notX = run(snapshot, {
      groups: [{ suffix: '1', resources: { VCPU: 1 }, required: { anyOf: [['A', 'B']], forbidden: ['X'] } }],
    })
    assert.deepEqual(mappingLines(notX), ['1=p1', '1=p4'])
  })

  it('matches member_of against the provider alone (root aggregates do not count)', () => {
    const snapshot = buildSnapshot(
      numaTree('cn1', { cn1: { aggregates: [AGG_A, AGG_B] }, 'cn1-numa1': { aggregates: [AGG_A] } }),
    )
    const inA = run(snapshot, {
      groups: [{ suffix: '1', resources: { VCPU: 1 }, memberOf: { anyOf: [[AGG_A]] } }],
    })
    assert.deepEqual(mappingLines(inA), ['1=cn1-numa1'])
    // The root is in the forbidden aggregate, but only the provider's own membership counts here.
    const notB = run(snapshot, {
      groups: [{ suffix: '1', resources: { VCPU: 1 }, memberOf: { forbidden: [AGG_B] } }],
    })
    assert.deepEqual(mappingLines(notB), ['1=cn1-numa0', '1=cn1-numa1'])
  })

  it('keeps all groups of one request in one tree', () => {
    const snapshot = buildSnapshot([...numaTree('cn1'), ...numaTree('cn2')])
    const results = run(snapshot, twoVfs('isolate'))
    assert.equal(results.length, 4)
    for (const r of results) {
      const roots = new Set(Object.keys(r.allocations).map((uuid) => uuid.slice(0, 3)))
      assert.equal(roots.size, 1, JSON.stringify(r))
    }
  })
})

describe('computeCandidates: in_tree, root_required, same_subtree, resourceless groups', () => {
  const twoTrees = buildSnapshot([
    ...numaTree('cn1', { cn1: { traits: ['CUSTOM_GOLD'] } }),
    ...numaTree('cn2', { cn2: { traits: ['COMPUTE_STATUS_DISABLED'] } }),
  ])

  it('in_tree restricts a group to the tree of the named provider (any provider of it)', () => {
    const results = run(twoTrees, { groups: [{ resources: { VCPU: 1 }, inTree: 'cn2-pf1' }] })
    assert.deepEqual(mappingLines(results), ['=cn2-numa0', '=cn2-numa1'])
    const granular = run(twoTrees, {
      groups: [{ suffix: '1', resources: { SRIOV_NET_VF: 1 }, inTree: 'cn1' }],
    })
    assert.deepEqual(mappingLines(granular), ['1=cn1-pf0', '1=cn1-pf1'])
    assert.deepEqual(run(twoTrees, { groups: [{ resources: { VCPU: 1 }, inTree: 'nowhere' }] }), [])
  })

  it('root_required filters trees by their root provider traits', () => {
    const gold = run(twoTrees, {
      groups: [{ resources: { VCPU: 1 } }],
      rootRequired: { allOf: ['CUSTOM_GOLD'] },
    })
    assert.deepEqual(mappingLines(gold), ['=cn1-numa0', '=cn1-numa1'])
    const enabled = run(twoTrees, {
      groups: [{ suffix: '1', resources: { SRIOV_NET_VF: 1 } }],
      rootRequired: { forbidden: ['COMPUTE_STATUS_DISABLED'] },
    })
    assert.deepEqual(mappingLines(enabled), ['1=cn1-pf0', '1=cn1-pf1'])
    // The NUMA nodes have HW_NUMA_ROOT but the roots do not.
    assert.deepEqual(
      run(twoTrees, { groups: [{ resources: { VCPU: 1 } }], rootRequired: { allOf: ['HW_NUMA_ROOT'] } }),
      [],
    )
  })

  it('same_subtree keeps only picks whose providers hang under one of them', () => {
    const snapshot = buildSnapshot(numaTree('cn1'))
    const groups: GroupSpec[] = [
      { suffix: '_NUMA', resources: { VCPU: 1 } },
      { suffix: '_NIC', resources: { SRIOV_NET_VF: 1 } },
    ]
    assert.equal(run(snapshot, { groups, groupPolicy: 'none' }).length, 4)
    const together = run(snapshot, { groups, groupPolicy: 'none', sameSubtree: [['_NUMA', '_NIC']] })
    assert.deepEqual(mappingLines(together), ['_NIC=cn1-pf0 _NUMA=cn1-numa0', '_NIC=cn1-pf1 _NUMA=cn1-numa1'])
    // Two siblings are not in one subtree even though they share a parent.
    const siblings = run(snapshot, {
      groups: [
        { suffix: '_A', resources: { SRIOV_NET_VF: 1 } },
        { suffix: '_B', resources: { SRIOV_NET_VF: 1 } },
      ],
      groupPolicy: 'isolate',
      sameSubtree: [['_A', '_B']],
    })
    assert.deepEqual(siblings, [])
  })

  it('chains same_subtree entries: each entry needs one of its own providers on top', () => {
    const snapshot = buildSnapshot([
      { uuid: 'cn', inventories: { VCPU: 8 }, traits: ['CUSTOM_FOO'] },
      { uuid: 'numa0', parent: 'cn' },
      { uuid: 'numa1', parent: 'cn' },
      { uuid: 'nic0', parent: 'numa0', traits: ['CUSTOM_NIC_ROOT'] },
      { uuid: 'nic1', parent: 'numa1', traits: ['CUSTOM_NIC_ROOT'] },
      { uuid: 'port0', parent: 'nic0', inventories: { CUSTOM_VF: 4 }, traits: ['CUSTOM_PHYSNET1'] },
      { uuid: 'port1', parent: 'nic0', inventories: { CUSTOM_VF: 4 }, traits: ['CUSTOM_PHYSNET2'] },
      { uuid: 'port2', parent: 'nic1', inventories: { CUSTOM_VF: 4 }, traits: ['CUSTOM_PHYSNET1'] },
      { uuid: 'port3', parent: 'cn', inventories: { CUSTOM_VF: 4 }, traits: ['CUSTOM_PHYSNET1'] },
    ])
    const groups: GroupSpec[] = [
      { suffix: '_COMPUTE', resources: { VCPU: 1 }, required: { allOf: ['CUSTOM_FOO'] } },
      { suffix: '_NIC', required: { allOf: ['CUSTOM_NIC_ROOT'] } },
      { suffix: '_PORT', resources: { CUSTOM_VF: 2 }, required: { allOf: ['CUSTOM_PHYSNET1'] } },
    ]
    const chained = run(snapshot, {
      groups,
      groupPolicy: 'none',
      sameSubtree: [
        ['_NIC', '_COMPUTE'],
        ['_NIC', '_PORT'],
      ],
    })
    assert.deepEqual(mappingLines(chained), [
      '_COMPUTE=cn _NIC=nic0 _PORT=port0',
      '_COMPUTE=cn _NIC=nic1 _PORT=port2',
    ])
    // One entry for all three only needs a common top (cn), so the port may sit under any NIC or none.
    const loose = run(snapshot, { groups, groupPolicy: 'none', sameSubtree: [['_COMPUTE', '_NIC', '_PORT']] })
    assert.equal(loose.length, 6)
  })

  it('a resourceless group maps to a provider with its traits and adds no allocation', () => {
    const snapshot = buildSnapshot(
      numaTree('cn1', { 'cn1-pf1': { traits: ['CUSTOM_PHYSNET_B', 'CUSTOM_NIC_ROOT'] } }),
    )
    const results = run(snapshot, {
      groups: [
        { suffix: '_CPU', resources: { VCPU: 1 } },
        { suffix: '_NIC', required: { allOf: ['CUSTOM_NIC_ROOT'] } },
      ],
      groupPolicy: 'none',
      sameSubtree: [['_CPU', '_NIC']],
    })
    assert.deepEqual(results, [
      { allocations: { 'cn1-numa1': { VCPU: 1 } }, mappings: { _CPU: ['cn1-numa1'], _NIC: ['cn1-pf1'] } },
    ])
  })
})

describe('computeCandidates: order, limit, randomize, dedupe, summaries', () => {
  // uuid order is the reverse of name order, so the sort key is visible.
  const flat = buildSnapshot(
    ['e', 'd', 'c', 'b', 'a'].map((letter, i) => ({
      uuid: letter,
      name: `host${i}`,
      inventories: { VCPU: 4 },
    })),
  )

  it('lists trees by root name, and limit keeps the first ones', () => {
    assert.deepEqual(mappingLines(run(flat, { groups: [{ resources: { VCPU: 1 } }] })), [
      '=e',
      '=d',
      '=c',
      '=b',
      '=a',
    ])
    const limited = computeCandidates(flat, buildRequest({ groups: [{ resources: { VCPU: 1 } }], limit: 2 }))
    assert.deepEqual(mappingLines(plain(limited)), ['=e', '=d'])
    assert.deepEqual(limited.summaryProviders, ['e', 'd'])
  })

  it('randomize shuffles every candidate before limit cuts', () => {
    // With random() = 0 the Fisher–Yates shuffle of [e,d,c,b,a] gives [d,c,b,a,e].
    const results = run(flat, { groups: [{ resources: { VCPU: 1 } }], limit: 2, randomize: true }, () => 0)
    assert.deepEqual(mappingLines(results), ['=d', '=c'])
    const all = run(flat, { groups: [{ resources: { VCPU: 1 } }], randomize: true })
    assert.deepEqual(mappingLines(all).sort(), ['=a', '=b', '=c', '=d', '=e'])
  })

  it('returns one request per distinct allocation and mapping when sharing providers serve several trees', () => {
    const snapshot = buildSnapshot([
      { uuid: 'cn1', inventories: { VCPU: 4 }, aggregates: [AGG_A] },
      { uuid: 'cn2', inventories: { VCPU: 4, DISK_GB: 100 }, aggregates: [AGG_A] },
      {
        uuid: 'ss',
        inventories: { DISK_GB: 1000 },
        traits: ['MISC_SHARES_VIA_AGGREGATE'],
        aggregates: [AGG_A],
      },
    ])
    // ss can anchor at cn1, cn2 and itself; the request {ss: DISK_GB} must appear once.
    // Trees in name order: at cn1 only ss has disk, at cn2 both; ss's own tree adds nothing new.
    assert.deepEqual(mappingLines(run(snapshot, { groups: [{ resources: { DISK_GB: 10 } }] })), [
      '=ss',
      '=cn2',
    ])
    const both = run(snapshot, { groups: [{ resources: { VCPU: 1, DISK_GB: 10 } }] })
    assert.deepEqual(both, [
      { allocations: { cn1: { VCPU: 1 }, ss: { DISK_GB: 10 } }, mappings: { '': ['cn1', 'ss'] } },
      { allocations: { cn2: { VCPU: 1, DISK_GB: 10 } }, mappings: { '': ['cn2'] } },
      { allocations: { cn2: { VCPU: 1 }, ss: { DISK_GB: 10 } }, mappings: { '': ['cn2', 'ss'] } },
    ])
    // A granular group can be served by the sharing provider too, and in_tree may name it.
    const granular = run(snapshot, {
      groups: [{ resources: { VCPU: 1 } }, { suffix: '1', resources: { DISK_GB: 10 }, inTree: 'ss' }],
    })
    assert.deepEqual(mappingLines(granular), ['=cn1 1=ss', '=cn2 1=ss'])
    // With in_tree on the unsuffixed group, sharing providers outside that tree are not used.
    assert.deepEqual(run(snapshot, { groups: [{ resources: { VCPU: 1, DISK_GB: 10 }, inTree: 'cn1' }] }), [])
  })

  it('shares via any tree member in the aggregate; a sharing provider must meet member_of itself', () => {
    const AGG_C = 'cccccccc-0000-0000-0000-000000000003'
    const snapshot = buildSnapshot([
      { uuid: 'cn1', aggregates: [AGG_A], traits: ['CUSTOM_GOLD'] },
      { uuid: 'cn1-numa0', parent: 'cn1', inventories: { VCPU: 4 }, aggregates: [AGG_C] },
      { uuid: 'cn1-numa1', parent: 'cn1', inventories: { VCPU: 4 } },
      {
        uuid: 'ss1',
        inventories: { DISK_GB: 100 },
        traits: ['MISC_SHARES_VIA_AGGREGATE'],
        aggregates: [AGG_A],
      },
      {
        uuid: 'ss2',
        inventories: { DISK_GB: 100 },
        traits: ['MISC_SHARES_VIA_AGGREGATE'],
        aggregates: [AGG_C],
      },
    ])
    const request = (memberOf: GroupSpec['memberOf']): string[] =>
      mappingLines(run(snapshot, { groups: [{ resources: { VCPU: 1, DISK_GB: 10 }, memberOf }] }))
    assert.deepEqual(request({}), ['=cn1-numa0+ss1', '=cn1-numa0+ss2', '=cn1-numa1+ss1', '=cn1-numa1+ss2'])
    // The root's aggregate A spans its tree, but ss2 is not itself in A.
    assert.deepEqual(request({ anyOf: [[AGG_A]] }), ['=cn1-numa0+ss1', '=cn1-numa1+ss1'])
    assert.deepEqual(request({ anyOf: [[AGG_C]] }), ['=cn1-numa0+ss2'])
    assert.deepEqual(request({ forbidden: [AGG_C] }), ['=cn1-numa1+ss1'])
    // root_required is about the tree served: the sharing providers' own roots lack CUSTOM_GOLD.
    const disk = computeCandidates(
      snapshot,
      buildRequest({ groups: [{ resources: { DISK_GB: 10 } }], rootRequired: { allOf: ['CUSTOM_GOLD'] } }),
    )
    assert.deepEqual(mappingLines(plain(disk)), ['=ss1', '=ss2'])
    assert.deepEqual(disk.summaryProviders, ['ss1', 'ss2'])
  })

  it('summarises every provider of every tree used, and nothing else', () => {
    const snapshot = buildSnapshot([
      ...numaTree('cn1'),
      ...numaTree('cn2'),
      { uuid: 'lone', inventories: { DISK_GB: 5 } },
    ])
    const result = computeCandidates(
      snapshot,
      buildRequest({
        groups: [{ suffix: '1', resources: { SRIOV_NET_VF: 1 }, required: { allOf: ['CUSTOM_PHYSNET_A'] } }],
      }),
    )
    assert.deepEqual(mappingLines(plain(result)), ['1=cn1-pf0', '1=cn2-pf0'])
    assert.deepEqual(
      [...result.summaryProviders].sort(),
      [...numaTree('cn1'), ...numaTree('cn2')].map((p) => p.uuid).sort(),
    )
  })
})
