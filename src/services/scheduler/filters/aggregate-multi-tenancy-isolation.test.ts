import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AggregateMultiTenancyIsolation } from './aggregate-multi-tenancy-isolation.js'

describe('AggregateMultiTenancyIsolation', () => {
  const ctx = fakeContext()
  const check = (host: ReturnType<typeof fakeHost>, projectId: string) =>
    AggregateMultiTenancyIsolation.check(host, fakeSpec({ projectId }), ctx)

  it('lets anyone onto hosts without tenant metadata', () => {
    assert.equal(check(fakeHost(), 'p1'), undefined)
    assert.equal(check(fakeHost({ aggregates: [fakeAggregate({ ssd: 'true' })] }), 'p1'), undefined)
  })

  it('keeps other projects off restricted hosts, from any filter_tenant_id* key', () => {
    const host = fakeHost({
      aggregates: [
        fakeAggregate({ filter_tenant_id: 'p1, p2' }),
        fakeAggregate({ filter_tenant_id_3: 'p3' }),
      ],
    })
    assert.equal(check(host, 'p2'), undefined)
    assert.equal(check(host, 'p3'), undefined)
    assert.equal(check(host, 'p4'), 'project is not allowed by the aggregate filter_tenant_id')
  })
})
