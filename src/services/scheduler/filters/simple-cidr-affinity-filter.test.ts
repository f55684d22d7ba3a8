import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { inNetwork, parseAddress, SimpleCIDRAffinityFilter } from './simple-cidr-affinity-filter.js'

const ctx = fakeContext()
const check = (hostIp: string, hints: Record<string, string[]>) =>
  SimpleCIDRAffinityFilter.check(fakeHost({ hostIp }), fakeSpec({ schedulerHints: hints }), ctx)

describe('SimpleCIDRAffinityFilter', () => {
  it('passes every host without build_near_host_ip', () => {
    assert.equal(check('10.0.0.1', {}), undefined)
    assert.equal(check('10.0.0.1', { cidr: ['/8'] }), undefined)
  })

  it('uses a /24 around the address by default', () => {
    assert.equal(check('10.0.0.200', { build_near_host_ip: ['10.0.0.5'] }), undefined)
    assert.equal(check('10.0.1.1', { build_near_host_ip: ['10.0.0.5'] }), 'not in network 10.0.0.5/24')
  })

  it('honours the cidr hint, as a prefix length or a netmask', () => {
    assert.equal(check('10.1.2.3', { build_near_host_ip: ['10.0.0.5'], cidr: ['/8'] }), undefined)
    assert.equal(
      check('11.0.0.1', { build_near_host_ip: ['10.0.0.5'], cidr: ['/8'] }),
      'not in network 10.0.0.5/8',
    )
    assert.equal(check('10.0.255.1', { build_near_host_ip: ['10.0.0.5'], cidr: ['/255.255.0.0'] }), undefined)
    assert.equal(
      check('10.0.0.6', { build_near_host_ip: ['10.0.0.5'], cidr: ['/32'] }),
      'not in network 10.0.0.5/32',
    )
  })

  it('works with IPv6 and never mixes address families', () => {
    assert.equal(check('2001:db8::42', { build_near_host_ip: ['2001:db8::1'], cidr: ['/64'] }), undefined)
    assert.equal(
      check('2001:db8:0:1::42', { build_near_host_ip: ['2001:db8::1'], cidr: ['/64'] }),
      'not in network 2001:db8::1/64',
    )
    assert.equal(
      check('10.0.0.1', { build_near_host_ip: ['2001:db8::1'], cidr: ['/0'] }),
      'not in network 2001:db8::1/0',
    )
  })

  it('fails hosts when the hint cannot be read', () => {
    assert.equal(
      check('10.0.0.1', { build_near_host_ip: ['nonsense'] }),
      'cannot read the network nonsense/24',
    )
    assert.equal(
      check('10.0.0.1', { build_near_host_ip: ['10.0.0.1'], cidr: ['/33'] }),
      'cannot read the network 10.0.0.1/33',
    )
  })

  it('parses IPv6 forms', () => {
    assert.equal(parseAddress('::1')?.value, 1n)
    assert.equal(parseAddress('::ffff:10.0.0.1')?.value, (0xffffn << 32n) | 0x0a000001n)
    assert.equal(parseAddress('1::')?.value, 1n << 112n)
    assert.equal(inNetwork('fe80::1', 'fe80::', '/10'), true)
    assert.equal(inNetwork('fec0::1', 'fe80::', '/10'), false)
  })
})
