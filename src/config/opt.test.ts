import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import {
  boolOpt,
  floatOpt,
  hostnameOpt,
  hostOpt,
  intOpt,
  ipOpt,
  listOpt,
  multiOpt,
  OptValueError,
  portOpt,
  strOpt,
  uriOpt,
} from './opt.js'
import { REGISTRY } from './options/index.js'

const help = 'h'
const rejects = (parse: () => unknown, reason: RegExp) =>
  assert.throws(parse, (e: unknown) => e instanceof OptValueError && reason.test(e.message))

describe('option kinds', () => {
  it('string: as written, choices enforced', () => {
    const o = strOpt({ help, default: 'kvm', choices: ['kvm', 'qemu'] })
    assert.equal(o.parse('qemu'), 'qemu')
    rejects(() => o.parse('xen'), /one of kvm, qemu/)
    assert.equal(strOpt({ help }).parse(' spaced '), ' spaced ')
  })

  it('integer: optional sign, min/max inclusive, no fractions', () => {
    const o = intOpt({ help, default: 10, min: 1, max: 100 })
    assert.equal(o.parse(' +7 '), 7)
    assert.equal(o.parse('100'), 100)
    rejects(() => o.parse('soon'), /expected an integer value, got "soon"/)
    rejects(() => o.parse('1.5'), /integer/)
    rejects(() => o.parse('0'), /less than the minimum 1/)
    rejects(() => o.parse('101'), /greater than the maximum 100/)
  })

  it('float: decimals and exponents, bounds', () => {
    const o = floatOpt({ help, default: 1, min: 0 })
    assert.equal(o.parse('1.5'), 1.5)
    assert.equal(o.parse('1e3'), 1000)
    rejects(() => o.parse(''), /floating point/)
    rejects(() => o.parse('-0.1'), /minimum 0/)
  })

  it('boolean: true/false, yes/no, on/off, 1/0 in any case', () => {
    const o = boolOpt({ help, default: false })
    for (const t of ['true', 'TRUE', 'Yes', 'on', '1']) assert.equal(o.parse(t), true, t)
    for (const f of ['false', 'No', 'OFF', '0']) assert.equal(o.parse(f), false, f)
    rejects(() => o.parse('maybe'), /boolean/)
  })

  it('list: comma-separated, trimmed, trailing commas dropped, empty text is empty, choices per item', () => {
    const o = listOpt({ help })
    assert.deepEqual(o.parse(' a, b ,c,, '), ['a', 'b', 'c'])
    assert.deepEqual(o.parse('a,,b'), ['a', '', 'b'])
    assert.deepEqual(o.parse(''), [])
    assert.deepEqual(o.parse('\nA,\nB'), ['A', 'B'])
    rejects(() => listOpt({ help, choices: ['x'] }).parse('x,y'), /list items among x/)
  })

  it('multi: every value kept as written', () => {
    const o = multiOpt({ help })
    assert.equal(o.multi, true)
    assert.deepEqual(o.parse('a, b'), ['a, b'])
  })

  it('port: 0-65535 integers', () => {
    const o = portOpt({ help, default: 8774 })
    assert.equal(o.parse('0'), 0)
    assert.equal(o.parse('65535'), 65535)
    rejects(() => o.parse('65536'), /maximum 65535/)
    rejects(() => o.parse('http'), /port value/)
  })

  it('ip, hostname, host address and uri', () => {
    assert.equal(ipOpt({ help }).parse('::1'), '::1')
    rejects(() => ipOpt({ help }).parse('10.0.0.256'), /IP address/)
    assert.equal(hostnameOpt({ help }).parse('compute-1.example.org'), 'compute-1.example.org')
    rejects(() => hostnameOpt({ help }).parse('-bad'), /hostname/)
    rejects(() => hostnameOpt({ help }).parse('1.2.3.4'), /hostname/)
    assert.equal(hostOpt({ help }).parse('1.2.3.4'), '1.2.3.4')
    assert.equal(hostOpt({ help }).parse('node_1'), 'node_1')
    rejects(() => hostOpt({ help }).parse('a b'), /host address/)
    assert.equal(uriOpt({ help }).parse('http://h:6080/vnc_auto.html'), 'http://h:6080/vnc_auto.html')
    rejects(() => uriOpt({ help }).parse('/just/a/path'), /uri value/)
    rejects(() => uriOpt({ help, schemes: ['https'] }).parse('http://h/'), /scheme https/)
  })

  it('every registered default passes its own option (definitions are consistent)', () => {
    for (const [section, opts] of Object.entries(REGISTRY)) {
      for (const [name, opt] of Object.entries(opts)) {
        const d = opt.default
        if (section === 'DEFAULT' && (name === 'host' || name === 'my_ip')) continue // machine-dependent
        if (typeof d === 'string' && !d.includes('$')) assert.equal(opt.parse(d), d, `${section}.${name}`)
        if (typeof d === 'number') assert.equal(opt.parse(String(d)), d, `${section}.${name}`)
        if (typeof d === 'boolean') assert.equal(opt.parse(String(d)), d, `${section}.${name}`)
        if (Array.isArray(d) && !opt.multi) assert.deepEqual(opt.parse(d.join(',')), d, `${section}.${name}`)
        assert.ok(opt.help.length > 0, `${section}.${name} has help`)
      }
    }
  })
})
