import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { EXTRA_SPEC_OPERATORS, matchExtraSpec } from './extra-spec-ops.js'

describe('matchExtraSpec', () => {
  it('compares with plain equality when the requirement has no operator', () => {
    assert.equal(matchExtraSpec('QEMU', 'QEMU'), true)
    assert.equal(matchExtraSpec('QEMU', 'qemu'), false)
    assert.equal(matchExtraSpec('a b', 'a b'), true)
    assert.equal(matchExtraSpec(undefined, 'x'), false)
  })

  it('reads `=` as numeric "at least" and ==, !=, >=, <= numerically', () => {
    assert.equal(matchExtraSpec('2048', '= 1024'), true)
    assert.equal(matchExtraSpec('512', '= 1024'), false)
    assert.equal(matchExtraSpec('1024.0', '== 1024'), true)
    assert.equal(matchExtraSpec('1024', '!= 1024'), false)
    assert.equal(matchExtraSpec('1000', '!= 1024'), true)
    assert.equal(matchExtraSpec('4', '>= 4'), true)
    assert.equal(matchExtraSpec('3', '>= 4'), false)
    assert.equal(matchExtraSpec('4', '<= 4'), true)
    assert.equal(matchExtraSpec('5', '<= 4'), false)
    assert.equal(matchExtraSpec(' 1e3 ', '>= 999'), true)
  })

  it('never matches a numeric operator when a side is not a number', () => {
    assert.equal(matchExtraSpec('abc', '>= 1'), false)
    assert.equal(matchExtraSpec('1', '== x'), false)
    assert.equal(matchExtraSpec('', '= 0'), false)
  })

  it('compares strings with the s-operators', () => {
    assert.equal(matchExtraSpec('QEMU', 's== QEMU'), true)
    assert.equal(matchExtraSpec('QEMU', 's!= QEMU'), false)
    assert.equal(matchExtraSpec('abc', 's< abd'), true)
    assert.equal(matchExtraSpec('abd', 's< abd'), false)
    assert.equal(matchExtraSpec('abd', 's<= abd'), true)
    assert.equal(matchExtraSpec('b', 's> a'), true)
    assert.equal(matchExtraSpec('a', 's>= b'), false)
    // Lexical, not numeric: '10' < '9'.
    assert.equal(matchExtraSpec('10', 's< 9'), true)
    // Code point order, as Python: U+1F600 sorts after U+FFFD.
    assert.equal(matchExtraSpec('\u{1F600}', 's> \uFFFD'), true)
  })

  it('finds substrings with <in> and all words with <all-in>', () => {
    assert.equal(matchExtraSpec("['sse', 'avx']", '<in> avx'), true)
    assert.equal(matchExtraSpec("['sse']", '<in> avx'), false)
    assert.equal(matchExtraSpec("['sse', 'avx']", '<all-in> sse avx'), true)
    assert.equal(matchExtraSpec("['sse']", '<all-in> sse avx'), false)
  })

  it('accepts any of the <or> choices and nothing else', () => {
    assert.equal(matchExtraSpec('kvm', '<or> qemu <or> kvm'), true)
    assert.equal(matchExtraSpec('qemu', '<or> qemu <or> kvm'), true)
    assert.equal(matchExtraSpec('<or>', '<or> qemu <or> kvm'), false)
    assert.equal(matchExtraSpec('xen', '<or> qemu <or> kvm'), false)
    assert.equal(matchExtraSpec('xen', '<or>'), false)
  })

  it('does not match an operator without operand, or an absent value', () => {
    assert.equal(matchExtraSpec('1', '>='), false)
    assert.equal(matchExtraSpec('x', '<in>'), false)
    assert.equal(matchExtraSpec(undefined, 's== x'), false)
    assert.equal(matchExtraSpec(undefined, '<or> a'), false)
  })

  it('uses only the first operand of single-operand operators', () => {
    assert.equal(matchExtraSpec('a', 's== a b'), true)
    assert.deepEqual(
      [...EXTRA_SPEC_OPERATORS].sort(),
      [
        '!=',
        '<=',
        '<all-in>',
        '<in>',
        '<or>',
        '=',
        '==',
        '>=',
        's!=',
        's<',
        's<=',
        's==',
        's>',
        's>=',
      ].sort(),
    )
  })
})
