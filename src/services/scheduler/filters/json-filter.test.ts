import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { JsonFilter } from './json-filter.js'

const ctx = fakeContext()
const host = fakeHost({ freeRamMb: 4096, freeDiskMb: 10240, stats: { gpu: 'nvidia' } })
const check = (query: unknown, h = host) =>
  JsonFilter.check(h, fakeSpec({ schedulerHints: { query: [JSON.stringify(query)] } }), ctx)
const NO = 'does not match the query hint'

describe('JsonFilter', () => {
  it('passes every host without a query', () => {
    assert.equal(JsonFilter.check(host, fakeSpec(), ctx), undefined)
    assert.equal(check([]), undefined)
  })

  it('compares host attributes with the first argument against all others', () => {
    assert.equal(check(['>=', '$free_ram_mb', 1024]), undefined)
    assert.equal(check(['>=', '$free_ram_mb', 8192]), NO)
    assert.equal(check(['<', '$free_ram_mb', 5000, 8000]), undefined)
    assert.equal(check(['<', '$free_ram_mb', 5000, 4000]), NO)
    assert.equal(check(['=', '$hypervisor_type', 'QEMU']), undefined)
    assert.equal(check(['=', '$hypervisor_type', 'xen']), NO)
    assert.equal(check(['<=', '$free_disk_mb', 10240]), undefined)
    assert.equal(check(['>', '$free_disk_mb', 10240]), NO)
  })

  it('supports in, not, or, and', () => {
    assert.equal(check(['in', '$host', 'host1', 'host2']), undefined)
    assert.equal(check(['in', '$host', 'host3']), NO)
    assert.equal(check(['not', ['=', '$host', 'host1']]), NO)
    assert.equal(check(['not', ['=', '$host', 'host2']]), undefined)
    assert.equal(check(['or', ['=', '$host', 'x'], ['>=', '$free_ram_mb', 1]]), undefined)
    assert.equal(check(['and', ['=', '$host', 'host1'], ['>=', '$free_ram_mb', 99999]]), NO)
    assert.equal(check(['and', ['>=', '$free_ram_mb', 1024], ['>=', '$free_disk_mb', 200 * 1024]]), NO)
  })

  it('reads dict values with $attr.key and drops arguments that resolve to nothing', () => {
    assert.equal(check(['=', '$stats.gpu', 'nvidia']), undefined)
    assert.equal(check(['=', '$stats.gpu', 'amd']), NO)
    // A missing attribute is dropped: one argument left, so the comparison is false.
    assert.equal(check(['=', '$nothing', 'x']), NO)
    assert.equal(check(['=', '$stats.none', 'x']), NO)
  })

  it('keeps Python truthiness: a nested `not` yields a non-empty list, which is true', () => {
    assert.equal(check(['and', ['not', ['=', '$host', 'host1']]]), undefined)
  })

  it('fails every host for a query that cannot be evaluated', () => {
    const bad = JsonFilter.check(host, fakeSpec({ schedulerHints: { query: ['{nope'] } }), ctx)
    assert.equal(bad, 'cannot evaluate the query hint')
    assert.equal(check(['~', '$host']), 'cannot evaluate the query hint')
    assert.equal(check(['<', '$host', 3]), 'cannot evaluate the query hint')
  })
})
