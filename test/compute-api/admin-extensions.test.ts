import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { adminHarness, type AdminHarness } from './admin-support.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('[admin-extensions] /extensions and os-instance_usage_audit_log', () => {
  let h: AdminHarness

  before(async () => {
    h = await adminHarness()
    await h.addCompute('cmp-1')
    await h.addCompute('cmp-2')
  })
  after(async () => {
    await h.close()
  })

  it('lists the legacy extension descriptors to anyone, sorted by alias; v2.0 adds OS-EXT-VIF-NET', async () => {
    const r = await h.call('GET', '/v2.1/extensions', undefined, { token: 'MEMBER_A' })
    assert.equal(r.status, 200)
    const aliases = r.body.extensions.map((e: Obj) => e.alias)
    assert.ok(aliases.includes('os-hosts'))
    assert.ok(r.body.extensions.some((e: Obj) => e.name === 'Hosts'))
    assert.ok(!aliases.includes('OS-EXT-VIF-NET'))
    assert.deepEqual(Object.keys(r.body.extensions[0]).sort(), [
      'alias',
      'description',
      'links',
      'name',
      'namespace',
      'updated',
    ])
    const legacy = await h.call('GET', '/v2/extensions', undefined, { token: 'MEMBER_A' })
    assert.ok(legacy.body.extensions.some((e: Obj) => e.alias === 'OS-EXT-VIF-NET'))
    assert.equal(legacy.body.extensions.length, r.body.extensions.length + 1)
  })

  it('shows one extension by alias; 404 for an unknown one', async () => {
    const r = await h.call('GET', '/v2.1/extensions/os-consoles', undefined, { token: 'MEMBER_A' })
    assert.deepEqual(r.body, {
      extension: {
        alias: 'os-consoles',
        description: 'Interactive Console support.',
        links: [],
        name: 'Consoles',
        namespace: 'http://docs.openstack.org/compute/ext/fake_xml',
        updated: '2014-12-03T00:00:00Z',
      },
    })
    assert.equal((await h.call('GET', '/v2.1/extensions/nope')).status, 404)
  })

  it('os-instance_usage_audit_log: every compute host not run for the last whole month; admin only', async () => {
    h.clock.set(new Date('2026-03-15T10:00:00Z'))
    const r = await h.call('GET', '/v2.1/os-instance_usage_audit_log')
    assert.equal(r.status, 200)
    const log = r.body.instance_usage_audit_logs
    assert.equal(log.period_beginning, '2026-02-01 00:00:00')
    assert.equal(log.period_ending, '2026-03-01 00:00:00')
    assert.equal(log.num_hosts, 2)
    assert.equal(log.num_hosts_not_run, 2)
    assert.deepEqual(log.hosts_not_run.sort(), ['cmp-1', 'cmp-2'])
    assert.equal(log.overall_status, '0 of 2 hosts done. 0 errors.')
    const before = await h.call('GET', '/v2.1/os-instance_usage_audit_log/2026-01-10%2012:00:00')
    assert.equal(before.body.instance_usage_audit_log.period_beginning, '2025-12-01 00:00:00')
    const bad = await h.call('GET', '/v2.1/os-instance_usage_audit_log/yesterday')
    assert.deepEqual(bad.body, { badRequest: { code: 400, message: 'Invalid timestamp for date yesterday' } })
    assert.equal(
      (await h.call('GET', '/v2.1/os-instance_usage_audit_log', undefined, { token: 'MEMBER_A' })).status,
      403,
    )
  })
})
