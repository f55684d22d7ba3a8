import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AggregateInstanceExtraSpecsFilter } from './aggregate-instance-extra-specs-filter.js'

const ctx = fakeContext()
const ssdHost = fakeHost({
  aggregates: [fakeAggregate({ ssd: 'true', speed: '10' }), fakeAggregate({ ssd: 'false, maybe' })],
})
const check = (extraSpecs: Record<string, string>, host = ssdHost) =>
  AggregateInstanceExtraSpecsFilter.check(host, fakeSpec({ flavor: { extraSpecs } }), ctx)

describe('AggregateInstanceExtraSpecsFilter', () => {
  it('passes flavors without extra specs and ignores other scopes', () => {
    assert.equal(check({}, fakeHost()), undefined)
    assert.equal(check({ 'hw:cpu_policy': 'dedicated', 'capabilities:x': 'y' }, fakeHost()), undefined)
  })

  it('matches scoped and unscoped keys against any aggregate value', () => {
    assert.equal(check({ 'aggregate_instance_extra_specs:ssd': 'true' }), undefined)
    assert.equal(check({ ssd: 'maybe' }), undefined)
    assert.equal(check({ speed: '>= 5' }), undefined)
    assert.equal(check({ speed: '>= 50' }), "aggregate speed does not match '>= 50'")
    assert.equal(check({ ssd: 'no' }), "aggregate ssd does not match 'no'")
  })

  it('fails hosts whose aggregates do not set the key', () => {
    assert.equal(check({ gpu: 'true' }), 'no aggregate sets gpu')
    assert.equal(check({ 'aggregate_instance_extra_specs:ssd': 'true' }, fakeHost()), 'no aggregate sets ssd')
  })
})
