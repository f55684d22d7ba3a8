import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { UntypedKysely } from '../../src/db/index.js'
import { createInstancesRepository } from '../../src/db/repositories/instances.js'
import { adminHarness, type AdminHarness } from './admin-support.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const flavor = (name: string, vcpus: number, memory_mb: number, root_gb: number, ephemeral_gb: number) => ({
  cur: { name, vcpus, memory_mb, root_gb, ephemeral_gb, flavorid: name, swap: 0, extra_specs: {} },
  old: null,
  new: null,
})
const at = (s: string) => new Date(`${s}Z`)

describe('[tenant-usage] os-simple-tenant-usage from instances and their flavors', () => {
  let h: AdminHarness
  const ids: Record<string, string> = {}
  const WINDOW = 'start=2026-01-02T00:00:00&end=2026-01-03T00:00:00'

  before(async () => {
    h = await adminHarness()
    h.clock.set(at('2026-01-10T00:00:00'))
    const instances = createInstancesRepository(h.mainDb)
    const add = async (key: string, fields: Record<string, unknown>) => {
      ids[key] = await h.addInstance({ user_id: 'u', display_name: key, ...fields })
    }
    await add('a1', {
      project_id: 'project-a',
      launched_at: at('2026-01-01T00:00:00'),
      flavor: flavor('m1', 1, 512, 1, 0),
    })
    await add('a2', {
      project_id: 'project-a',
      vm_state: 'deleted',
      launched_at: at('2026-01-02T12:00:00'),
      terminated_at: at('2026-01-02T18:00:00'),
      flavor: flavor('m2', 2, 1024, 10, 5),
    })
    await instances.softDelete(ids.a2!)
    // The soft delete stamps terminated_at with the real time: put the test's back.
    await (h.mainDb.kysely as UntypedKysely)
      .updateTable('instances')
      .set({ terminated_at: h.mainDb.differences.toDbDate(at('2026-01-02T18:00:00')) })
      .where('uuid', '=', ids.a2!)
      .execute()
    await add('b1', {
      project_id: 'project-b',
      launched_at: at('2026-01-05T00:00:00'),
      flavor: flavor('m1', 1, 512, 1, 0),
    })
    await add('b2', {
      project_id: 'project-b',
      launched_at: at('2025-12-01T00:00:00'),
      terminated_at: at('2025-12-31T00:00:00'),
      flavor: flavor('m1', 1, 512, 1, 0),
    })
    await add('b3', {
      project_id: 'project-b',
      launched_at: at('2026-01-02T23:00:00'),
      flavor: flavor('m1', 1, 512, 1, 0),
    })
    await add('c1', { project_id: 'project-c', vm_state: 'building', flavor: flavor('m1', 1, 512, 1, 0) })
  })
  after(async () => {
    await h.close()
  })

  it('lists every project’s totals over the window (deleted instances included), admin only', async () => {
    const r = await h.call('GET', `/v2.1/os-simple-tenant-usage?${WINDOW}`)
    assert.equal(r.status, 200)
    assert.deepEqual(r.body.tenant_usages, [
      {
        tenant_id: 'project-a',
        total_local_gb_usage: 24 * 1 + 6 * 15,
        total_vcpus_usage: 24 + 6 * 2,
        total_memory_mb_usage: 24 * 512 + 6 * 1024,
        total_hours: 30,
        start: '2026-01-02T00:00:00.000000',
        stop: '2026-01-03T00:00:00.000000',
      },
      {
        tenant_id: 'project-b',
        total_local_gb_usage: 1,
        total_vcpus_usage: 1,
        total_memory_mb_usage: 512,
        total_hours: 1,
        start: '2026-01-02T00:00:00.000000',
        stop: '2026-01-03T00:00:00.000000',
      },
    ])
    const forbidden = await h.call('GET', `/v2.1/os-simple-tenant-usage?${WINDOW}`, undefined, {
      token: 'MEMBER_A',
    })
    assert.equal(forbidden.status, 403)
  })

  it('detailed=1 and show carry server_usages with Nova’s fields', async () => {
    const r = await h.call('GET', `/v2.1/os-simple-tenant-usage?${WINDOW}&detailed=1`)
    const a = r.body.tenant_usages[0]
    assert.equal(a.server_usages.length, 2)
    const a2 = a.server_usages.find((s: Obj) => s.name === 'a2')
    assert.deepEqual(a2, {
      instance_id: ids.a2,
      name: 'a2',
      hours: 6,
      memory_mb: 1024,
      local_gb: 15,
      vcpus: 2,
      tenant_id: 'project-a',
      flavor: 'm2',
      started_at: '2026-01-02T12:00:00.000000',
      ended_at: '2026-01-02T18:00:00.000000',
      state: 'terminated',
      uptime: 6 * 3600,
    })
    const a1 = a.server_usages.find((s: Obj) => s.name === 'a1')
    assert.equal(a1.state, 'active')
    assert.equal(a1.ended_at, null)
    assert.equal(a1.uptime, 9 * 86400)
    const show = await h.call('GET', `/v2.1/os-simple-tenant-usage/project-a?${WINDOW}`, undefined, {
      token: 'MEMBER_A',
    })
    assert.equal(show.status, 200)
    assert.equal(show.body.tenant_usage.total_hours, 30)
    assert.equal(show.body.tenant_usage.server_usages.length, 2)
    const other = await h.call('GET', `/v2.1/os-simple-tenant-usage/project-b?${WINDOW}`, undefined, {
      token: 'MEMBER_A',
    })
    assert.equal(other.status, 403)
    const empty = await h.call('GET', `/v2.1/os-simple-tenant-usage/?${WINDOW}`)
    assert.equal(empty.status, 404)
    const none = await h.call('GET', `/v2.1/os-simple-tenant-usage/project-z?${WINDOW}`)
    assert.deepEqual(none.body, { tenant_usage: {} })
  })

  it('checks start and end; end is capped at now', async () => {
    const inverted = await h.call(
      'GET',
      '/v2.1/os-simple-tenant-usage?start=2026-01-03T00:00:00&end=2026-01-02T00:00:00',
    )
    assert.deepEqual(inverted.body, {
      badRequest: {
        code: 400,
        message: 'Invalid start time. The start time cannot occur after the end time.',
      },
    })
    const bad = await h.call('GET', '/v2.1/os-simple-tenant-usage?start=yesterday')
    assert.equal(bad.body.badRequest.message, 'Invalid datetime string: Datetime is in invalid format')
    const late = await h.call(
      'GET',
      '/v2.1/os-simple-tenant-usage?start=2026-01-09T00:00:00&end=2027-01-01T00:00:00.5',
    )
    assert.equal(late.body.tenant_usages[0].stop, '2026-01-10T00:00:00.000000')
  })

  it('pages by instance from 2.40 (tenant_usages_links with the last instance as marker)', async () => {
    const first = await h.call(
      'GET',
      `/v2.1/os-simple-tenant-usage?${WINDOW}&detailed=1&limit=2`,
      undefined,
      {
        version: '2.40',
      },
    )
    assert.equal(first.status, 200)
    const seen = first.body.tenant_usages.flatMap((t: Obj) => t.server_usages.map((s: Obj) => s.instance_id))
    assert.equal(seen.length, 2)
    const link = first.body.tenant_usages_links[0].href as string
    assert.match(link, new RegExp(`marker=${seen[1]}$`))
    const next = await h.call(
      'GET',
      `/v2.1/os-simple-tenant-usage?${WINDOW}&detailed=1&limit=2&marker=${seen[1]}`,
      undefined,
      {
        version: '2.40',
      },
    )
    assert.deepEqual(
      next.body.tenant_usages.map((t: Obj) => t.tenant_id),
      ['project-b'],
    )
    assert.equal(next.body.tenant_usages_links, undefined)
    const bad = await h.call('GET', `/v2.1/os-simple-tenant-usage?${WINDOW}&marker=nope`, undefined, {
      version: '2.40',
    })
    assert.equal(bad.status, 400)
  })
})
