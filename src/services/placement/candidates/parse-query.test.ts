import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { CandidateRequest } from './model.js'
import { parseCandidateQuery, type QueryParams } from './parse-query.js'
import { isUuidLike } from './parse-query-values.js'
import { PlacementQueryError, type PlacementQueryErrorCode } from './query-error.js'
import { namesInRequest } from './request-names.js'

const AGG1 = '11111111-1111-1111-1111-111111111111'
const AGG2 = '22222222-2222-2222-2222-222222222222'
const RP = '33333333-3333-3333-3333-333333333333'

const parse = (query: QueryParams, minor: number): CandidateRequest =>
  parseCandidateQuery(query, { major: 1, minor })

function fails(
  query: QueryParams,
  minor: number,
  message: string,
  code: PlacementQueryErrorCode = 'placement.undefined_code',
): void {
  assert.throws(
    () => parse(query, minor),
    (err: unknown) => {
      assert.ok(err instanceof PlacementQueryError, String(err))
      assert.ok(err.message.includes(message), `"${err.message}" lacks "${message}"`)
      assert.equal(err.code, code)
      return true
    },
    `${JSON.stringify(query)} at 1.${minor}`,
  )
}

const group = (request: CandidateRequest, suffix: string) => {
  const found = request.groups.find((g) => g.suffix === suffix)
  assert.ok(found, `no group '${suffix}'`)
  return found
}

describe('parseCandidateQuery: resources', () => {
  it('parses classes and amounts into the unsuffixed group', () => {
    const request = parse({ resources: 'VCPU:1,MEMORY_MB:512,DISK_GB:10' }, 10)
    assert.equal(request.groups.length, 1)
    assert.deepEqual(
      [...group(request, '').resources],
      [
        ['VCPU', 1],
        ['MEMORY_MB', 512],
        ['DISK_GB', 10],
      ],
    )
    assert.equal(request.randomize, false)
    assert.equal(request.limit, undefined)
    assert.equal(request.nestedAware, false)
    assert.equal(parse({ resources: 'VCPU:1' }, 29).nestedAware, true)
  })

  it('refuses badly formed values, amounts below 1 or not integers, and lowercase class names', () => {
    fails({ resources: '' }, 10, 'Badly formed resources parameter')
    fails({ resources: 'VCPU' }, 10, 'Badly formed resources parameter')
    fails({ resources: 'VCPU:1:2' }, 10, 'Badly formed resources parameter')
    fails({ resources: 'VCPU:0' }, 10, 'requires amount >= 1')
    fails({ resources: 'VCPU:-2' }, 10, 'requires amount >= 1')
    fails({ resources: 'VCPU:1.5' }, 10, 'expected positive integer amount')
    fails({ resources: 'VCPU:lots' }, 10, 'expected positive integer amount')
    fails({ resources: 'vcpu:1' }, 10, 'Invalid resource class in resources parameter')
  })

  it('requires resources before 1.25 and refuses unknown parameters', () => {
    fails({}, 10, "'resources' is a required property")
    fails({ resources: 'VCPU:1', colour: 'blue' }, 39, "'colour' was unexpected")
  })
})

describe('parseCandidateQuery: granular suffixes per microversion', () => {
  it('numbered suffixes from 1.25, named ones from 1.33', () => {
    fails({ resources: 'VCPU:1', resources1: 'VCPU:1' }, 24, "'resources1' was unexpected")
    const numbered = parse({ resources1: 'VCPU:1' }, 25)
    assert.deepEqual([...group(numbered, '1').resources], [['VCPU', 1]])
    fails({ resources01: 'VCPU:1' }, 25, 'Invalid query string parameters')
    fails({ resources_NET: 'VCPU:1' }, 32, 'Invalid query string parameters')
    const named = parse(
      {
        resources_NET: 'SRIOV_NET_VF:1',
        'required-a': 'CUSTOM_X',
        'resources-a': 'VCPU:1',
        group_policy: 'none',
      },
      33,
    )
    assert.deepEqual(
      named.groups.map((g) => g.suffix),
      ['_NET', '-a'],
    )
    fails({ [`resources_${'x'.repeat(64)}`]: 'VCPU:1' }, 33, 'Invalid query string parameters')
  })

  it('requires group_policy (none|isolate) with more than one granular group', () => {
    fails(
      { resources1: 'VCPU:1', resources2: 'VCPU:1' },
      25,
      'The "group_policy" parameter is required when specifying more than one "resources{N}" parameter.',
    )
    assert.equal(
      parse({ resources1: 'VCPU:1', resources2: 'VCPU:1', group_policy: 'isolate' }, 25).groupPolicy,
      'isolate',
    )
    // One granular group plus the unsuffixed group does not need it.
    assert.equal(parse({ resources: 'VCPU:1', resources1: 'VCPU:1' }, 25).groupPolicy, undefined)
    fails({ resources: 'VCPU:1', group_policy: 'bogus' }, 25, "'bogus' is not one of ['none', 'isolate']")
    fails({ resources: 'VCPU:1', group_policy: 'none' }, 24, "'group_policy' was unexpected")
    // Repeated: the first value counts.
    assert.equal(
      parse({ resources1: 'VCPU:1', resources2: 'VCPU:1', group_policy: ['isolate', 'none'] }, 25)
        .groupPolicy,
      'isolate',
    )
  })

  it('puts the unsuffixed group first', () => {
    const request = parse({ resources1: 'VCPU:1', resources: 'DISK_GB:1' }, 25)
    assert.deepEqual(
      request.groups.map((g) => g.suffix),
      ['', '1'],
    )
  })
})

describe('parseCandidateQuery: required traits', () => {
  it('plain traits from 1.17, forbidden ones with ! from 1.22', () => {
    fails({ resources: 'VCPU:1', required: 'HW_CPU_X86_SSE' }, 16, "'required' was unexpected")
    assert.deepEqual(group(parse({ resources: 'VCPU:1', required: 'A,B' }, 17), '').required, {
      allOf: ['A', 'B'],
      forbidden: [],
      anyOf: [],
    })
    fails({ resources: 'VCPU:1', required: '!A' }, 21, 'HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: !A')
    assert.deepEqual(group(parse({ resources: 'VCPU:1', required: 'A,!B,!!C' }, 22), '').required, {
      allOf: ['A'],
      forbidden: ['B', 'C'],
      anyOf: [],
    })
    fails({ resources: 'VCPU:1', required: '' }, 22, 'HW_CPU_X86_VMX,!CUSTOM_MAGIC. Got an empty trait')
    fails({ resources: 'VCPU:1', required: 'A,,B' }, 17, 'HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait')
  })

  it('in: (one of) from 1.39, where repeated required parameters add up; before, the last one wins', () => {
    fails({ resources: 'VCPU:1', required: 'in:A,B' }, 38, 'only supported since microversion 1.39')
    const anyOf = group(parse({ resources: 'VCPU:1', required: ['in:A,B', 'C,!D'] }, 39), '').required
    assert.deepEqual(anyOf, { allOf: ['C'], forbidden: ['D'], anyOf: [['A', 'B']] })
    fails({ resources: 'VCPU:1', required: 'in:A,!B' }, 39, 'does not support forbidden traits')
    const lastWins = group(parse({ resources: 'VCPU:1', required: ['A', 'B'] }, 38), '').required
    assert.deepEqual(lastWins.allOf, ['B'])
  })

  it('refuses a trait both required and forbidden in one group', () => {
    fails({ resources: 'VCPU:1', required: 'A,!A' }, 22, 'Conflicting required and forbidden traits found')
    fails(
      { resources: 'VCPU:1', required: ['in:A,B', '!A,!B'] },
      39,
      'following traits keys: required: (A, B)',
    )
    // One way out of an in: set remains, so no conflict.
    assert.ok(parse({ resources: 'VCPU:1', required: ['in:A,B', '!A'] }, 39))
    // Different groups may disagree.
    assert.ok(parse({ resources: 'VCPU:1', required: 'A', resources1: 'VCPU:1', required1: '!A' }, 25))
  })
})

describe('parseCandidateQuery: member_of and in_tree', () => {
  it('one member_of from 1.21, repeats from 1.24, negation from 1.32', () => {
    fails({ resources: 'VCPU:1', member_of: AGG1 }, 20, "'member_of' was unexpected")
    assert.deepEqual(
      group(parse({ resources: 'VCPU:1', member_of: `in:${AGG1},${AGG2}` }, 21), '').memberOf,
      {
        anyOf: [[AGG1, AGG2]],
        forbidden: [],
      },
    )
    fails(
      { resources: 'VCPU:1', member_of: [AGG1, AGG2] },
      23,
      'Multiple member_of parameters are not supported',
    )
    assert.deepEqual(group(parse({ resources: 'VCPU:1', member_of: [AGG1, AGG2] }, 24), '').memberOf.anyOf, [
      [AGG1],
      [AGG2],
    ])
    fails(
      { resources: 'VCPU:1', member_of: `!${AGG1}` },
      31,
      'Forbidden member_of parameters are not supported',
    )
    const negative = parse({ resources: 'VCPU:1', member_of: [`!in:${AGG1},${AGG2}`, AGG1] }, 32)
    assert.deepEqual(group(negative, '').memberOf, { anyOf: [[AGG1]], forbidden: [AGG1, AGG2] })
  })

  it('refuses a list without in:, and values that are not uuids', () => {
    fails(
      { resources: 'VCPU:1', member_of: `${AGG1},${AGG2}` },
      24,
      "must be prefixed with the 'in:' or '!in:'",
    )
    fails(
      { resources: 'VCPU:1', member_of: 'in:' },
      24,
      "Expected 'member_of' parameter to contain valid UUID(s)",
    )
    fails({ resources: 'VCPU:1', member_of: `in:${AGG1},!${AGG2}` }, 32, 'valid UUID(s)')
  })

  it('in_tree from 1.31 (granular too), a uuid', () => {
    fails({ resources: 'VCPU:1', in_tree: RP }, 30, "'in_tree' was unexpected")
    const request = parse({ resources: 'VCPU:1', in_tree: ` ${RP} `, resources1: 'VF:1', in_tree1: RP }, 31)
    assert.equal(group(request, '').inTree, RP)
    assert.equal(group(request, '1').inTree, RP)
    fails(
      { resources: 'VCPU:1', in_tree: 'life-is-beautiful' },
      31,
      "Expected 'in_tree' parameter to be a format of uuid",
    )
  })

  it('accepts the uuid spellings uuidutils accepts', () => {
    assert.ok(isUuidLike('33333333333333333333333333333333'))
    assert.ok(isUuidLike(`{${RP}}`))
    assert.ok(isUuidLike(`urn:uuid:${RP.toUpperCase()}`))
    assert.ok(!isUuidLike('3333333-3333-3333-3333-333333333333'))
    assert.ok(!isUuidLike('g3333333-3333-3333-3333-333333333333'))
  })
})

describe('parseCandidateQuery: request-wide parameters', () => {
  it('limit from 1.16, a positive integer', () => {
    fails({ resources: 'VCPU:1', limit: '5' }, 15, "'limit' was unexpected")
    assert.equal(parse({ resources: 'VCPU:1', limit: '5' }, 16).limit, 5)
    fails({ resources: 'VCPU:1', limit: '0' }, 16, 'Invalid query string parameters')
    fails({ resources: 'VCPU:1', limit: '-99' }, 16, 'Invalid query string parameters')
    fails({ resources: 'VCPU:1', limit: 'cow' }, 16, 'Invalid query string parameters')
  })

  it('root_required from 1.35: once, no in:, no conflicts', () => {
    fails({ resources: 'VCPU:1', root_required: 'A' }, 34, "'root_required' was unexpected")
    assert.deepEqual(parse({ resources: 'VCPU:1', root_required: 'A,!B' }, 35).rootRequired, {
      allOf: ['A'],
      forbidden: ['B'],
      anyOf: [],
    })
    fails(
      { resources: 'VCPU:1', root_required: ['A', '!B'] },
      35,
      "Query parameter 'root_required' may be specified only once.",
      'placement.query.duplicate_key',
    )
    fails(
      { resources: 'VCPU:1', root_required: 'A,B,!A' },
      35,
      'Conflicting required and forbidden traits found in root_required: A',
      'placement.query.bad_value',
    )
    fails({ resources: 'VCPU:1', root_required: 'in:A,B' }, 39, 'only supported since microversion 1.39')
  })

  it('same_subtree and resourceless groups from 1.36', () => {
    const query = {
      resources_CPU: 'VCPU:1',
      required_NIC: 'CUSTOM_NIC',
      same_subtree: '_CPU, _NIC',
      group_policy: 'none',
    }
    fails({ resources: 'VCPU:1', same_subtree: '1' }, 35, "'same_subtree' was unexpected")
    const request = parse(query, 36)
    assert.deepEqual(request.sameSubtree, [['_CPU', '_NIC']])
    assert.equal(group(request, '_NIC').resources.size, 0)
    assert.deepEqual(group(request, '_NIC').required.allOf, ['CUSTOM_NIC'])
    fails(
      { ...query, same_subtree: '_CPU' },
      36,
      "Resourceless suffixed group request should be specified in `same_subtree` query param: bad group(s) - ['_NIC'].",
      'placement.query.bad_value',
    )
    fails(
      { ...query, same_subtree: '_CPU,_NIC,_GPU' },
      36,
      "Real suffixes should be specified in `same_subtree`: ['_GPU'] not found in",
      'placement.query.bad_value',
    )
    fails(
      { ...query, same_subtree: '_CPU,,_NIC' },
      36,
      'Empty string (unsuffixed group) can not be specified in `same_subtree`',
      'placement.query.bad_value',
    )
    fails(
      { required_NIC: 'CUSTOM_NIC', same_subtree: '_NIC' },
      36,
      'There must be at least one resources or resources[$S] parameter.',
      'placement.query.missing_value',
    )
    // The unsuffixed group can never be resourceless.
    fails(
      { resources_CPU: 'VCPU:1', required: 'CUSTOM_X', same_subtree: '_CPU' },
      36,
      "bad group(s) - [''].",
      'placement.query.bad_value',
    )
  })

  it('before 1.36 every group needs resources', () => {
    fails(
      { required: 'FOO', required1: 'BAR' },
      35,
      'Found the following orphaned traits keys: required, required1',
    )
    fails(
      { resources: 'VCPU:1', member_of1: AGG1 },
      35,
      'Found the following orphaned member_of keys: member_of1',
    )
    fails({ resources: 'VCPU:1', in_tree1: RP }, 31, 'All request groups must specify resources.')
    fails(
      { group_policy: 'isolate' },
      35,
      'At least one request group (`resources` or `resources{$S}`) is required.',
    )
  })

  it('passes randomize through from the options', () => {
    assert.equal(
      parseCandidateQuery({ resources: 'VCPU:1' }, { major: 1, minor: 39 }, { randomize: true }).randomize,
      true,
    )
  })
})

describe('namesInRequest', () => {
  it('lists every class and trait a request names, sorted and once', () => {
    const request = parse(
      {
        resources: 'VCPU:1,MEMORY_MB:1',
        required: ['in:B,A', '!C'],
        resources_X: 'VCPU:2,CUSTOM_MAGIC:1',
        required_X: 'A,D',
        root_required: 'E,!F',
        group_policy: 'none',
      },
      39,
    )
    assert.deepEqual(namesInRequest(request), {
      resourceClasses: ['CUSTOM_MAGIC', 'MEMORY_MB', 'VCPU'],
      traits: ['A', 'B', 'C', 'D', 'E', 'F'],
    })
  })
})
