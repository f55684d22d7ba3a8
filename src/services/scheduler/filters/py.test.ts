import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { comparePyStrings, parsePyFloat, parsePyInt, pyStr, pyTruthy } from './py.js'

describe('Python conversions', () => {
  it('parses floats like Python float()', () => {
    assert.equal(parsePyFloat(' 1.5 '), 1.5)
    assert.equal(parsePyFloat('-2'), -2)
    assert.equal(parsePyFloat('.5'), 0.5)
    assert.equal(parsePyFloat('5.'), 5)
    assert.equal(parsePyFloat('1e3'), 1000)
    assert.equal(parsePyFloat('1_000.5'), 1000.5)
    assert.equal(parsePyFloat('-inf'), -Infinity)
    assert.ok(Number.isNaN(parsePyFloat('NaN')))
    for (const bad of ['', 'abc', '0x10', '1,5', '1__0', '_1', '1.2.3', 'e5'])
      assert.equal(parsePyFloat(bad), undefined, bad)
  })

  it('parses integers like Python int()', () => {
    assert.equal(parsePyInt(' 42 '), 42)
    assert.equal(parsePyInt('+7'), 7)
    assert.equal(parsePyInt('-3'), -3)
    for (const bad of ['1.0', '', 'x', '1e3']) assert.equal(parsePyInt(bad), undefined, bad)
  })

  it('renders values like Python str()', () => {
    assert.equal(pyStr('x'), 'x')
    assert.equal(pyStr(2048), '2048')
    assert.equal(pyStr(1.5), '1.5')
    assert.equal(pyStr(true), 'True')
    assert.equal(pyStr(null), 'None')
    assert.equal(pyStr(['sse', 'avx']), "['sse', 'avx']")
    assert.equal(pyStr({ a: 1, b: "it's" }), `{'a': 1, 'b': "it's"}`)
  })

  it('tells truthiness like Python', () => {
    for (const falsy of [undefined, null, false, 0, '', [], {}]) assert.equal(pyTruthy(falsy), false)
    for (const truthy of [true, 1, NaN, 'x', [false], { a: 0 }]) assert.equal(pyTruthy(truthy), true)
  })

  it('orders strings by code point', () => {
    assert.ok(comparePyStrings('a', 'b') < 0)
    assert.ok(comparePyStrings('ab', 'a') > 0)
    assert.equal(comparePyStrings('x', 'x'), 0)
    assert.ok(comparePyStrings('\u{1F600}', '\uFFFD') > 0)
  })
})
