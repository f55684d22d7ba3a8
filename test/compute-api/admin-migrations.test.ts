import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { UntypedKysely } from '../../src/db/index.js'
import { adminHarness, type AdminHarness } from './admin-support.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('[admin-migrations] os-migrations and /servers/{id}/migrations', () => {
  let h: AdminHarness
  let server: string
  let other: string
  const ids: Record<string, number> = {}

  before(async () => {
    h = await adminHarness()
    server = await h.addInstance({ project_id: 'project-a', user_id: 'user-project-a', host: 'cmp-1' })
    other = await h.addInstance({ project_id: 'project-b', user_id: 'user-project-b', host: 'cmp-2' })
    const k = h.mainDb.kysely as UntypedKysely
    const d = h.mainDb.differences
    const rows: [string, string, string, string, string, string, number][] = [
      ['resize', server, 'confirmed', 'cmp-1', 'cmp-2', '2026-01-01T00:00:00Z', 1],
      ['live-migration', server, 'running', 'cmp-2', 'cmp-1', '2026-01-02T00:00:00Z', 2],
      ['live-migration', other, 'completed', 'cmp-2', 'cmp-3', '2026-01-03T00:00:00Z', 3],
      ['migration', other, 'error', 'cmp-3', 'cmp-1', '2026-01-04T00:00:00Z', 4],
    ]
    for (const [type, instance, status, src, dst, at, n] of rows) {
      await k
        .insertInto('migrations')
        .values({
          uuid: `00000000-0000-0000-0000-00000000000${n}`,
          instance_uuid: instance,
          source_compute: src,
          dest_compute: dst,
          source_node: src,
          dest_node: dst,
          dest_host: '10.0.0.1',
          old_instance_type_id: 1,
          new_instance_type_id: type === 'resize' ? 2 : 1,
          status,
          migration_type: type,
          hidden: 0,
          memory_total: 1024,
          memory_processed: 512,
          memory_remaining: 512,
          disk_total: 10,
          disk_processed: 5,
          disk_remaining: 5,
          user_id: 'user-x',
          project_id: instance === server ? 'project-a' : 'project-b',
          deleted: 0,
          created_at: d.toDbDate(new Date(at)),
          updated_at: d.toDbDate(new Date(at)),
        })
        .execute()
      ids[status] = Number(
        (
          (await k
            .selectFrom('migrations')
            .select('id')
            .where('status', '=', status)
            .executeTakeFirst()) as Obj
        ).id,
      )
    }
    await k
      .insertInto('migrations')
      .values({ instance_uuid: server, status: 'hidden', migration_type: 'resize', hidden: 1, deleted: 0 })
      .execute()
  })
  after(async () => {
    await h.close()
  })

  it('lists at 2.1 without migration_type, uuid or links, oldest first; admin only', async () => {
    const r = await h.call('GET', '/v2.1/os-migrations')
    assert.equal(r.status, 200)
    assert.deepEqual(
      r.body.migrations.map((m: Obj) => m.status),
      ['confirmed', 'running', 'completed', 'error'],
    )
    assert.deepEqual(Object.keys(r.body.migrations[0]).sort(), [
      'created_at',
      'dest_compute',
      'dest_host',
      'dest_node',
      'id',
      'instance_uuid',
      'new_instance_type_id',
      'old_instance_type_id',
      'source_compute',
      'source_node',
      'status',
      'updated_at',
    ])
    assert.equal(r.body.migrations[0].created_at, '2026-01-01T00:00:00.000000')
    assert.equal((await h.call('GET', '/v2.1/os-migrations', undefined, { token: 'MEMBER_A' })).status, 403)
  })

  it('filters by host, status, instance_uuid, source_compute, migration_type', async () => {
    const statuses = async (q: string, version = '2.23') =>
      (await h.call('GET', `/v2.1/os-migrations?${q}`, undefined, { version })).body.migrations.map(
        (m: Obj) => m.status,
      )
    assert.deepEqual(await statuses('host=cmp-3'), ['completed', 'error'])
    assert.deepEqual(await statuses('status=running'), ['running'])
    assert.deepEqual(await statuses(`instance_uuid=${other}`), ['completed', 'error'])
    assert.deepEqual(await statuses('source_compute=cmp-2'), ['running', 'completed'])
    assert.deepEqual(await statuses('migration_type=live-migration'), ['running', 'completed'])
    assert.deepEqual(await statuses('project_id=project-a', '2.80'), ['running', 'confirmed'])
  })

  it('2.23 adds migration_type and links of in-progress live migrations; 2.59 uuid, newest first, paging', async () => {
    const v23 = (await h.call('GET', '/v2.1/os-migrations', undefined, { version: '2.23' })).body.migrations
    const running = v23.find((m: Obj) => m.status === 'running')
    assert.equal(running.migration_type, 'live-migration')
    assert.equal(
      running.links[0].href,
      `http://compute.test:8774/v2.1/servers/${server}/migrations/${ids.running}`,
    )
    assert.equal(v23.find((m: Obj) => m.status === 'completed').links, undefined)
    assert.equal(running.uuid, undefined)
    const page = await h.call('GET', '/v2.1/os-migrations?limit=2', undefined, { version: '2.59' })
    assert.deepEqual(
      page.body.migrations.map((m: Obj) => m.status),
      ['error', 'completed'],
    )
    assert.equal(page.body.migrations[0].uuid, '00000000-0000-0000-0000-000000000004')
    assert.match(page.body.migrations_links[0].href, /os-migrations\?limit=2&marker=0+-0+-0+-0+-0+3$/)
    const next = await h.call(
      'GET',
      '/v2.1/os-migrations?limit=2&marker=00000000-0000-0000-0000-000000000003',
      undefined,
      { version: '2.59' },
    )
    assert.deepEqual(
      next.body.migrations.map((m: Obj) => m.status),
      ['running', 'confirmed'],
    )
    const bad = await h.call('GET', '/v2.1/os-migrations?marker=nope', undefined, { version: '2.59' })
    assert.deepEqual(bad.body, { badRequest: { code: 400, message: 'Marker nope could not be found.' } })
    const since = await h.call('GET', '/v2.1/os-migrations?changes-since=2026-01-03T00:00:00Z', undefined, {
      version: '2.59',
    })
    assert.deepEqual(
      since.body.migrations.map((m: Obj) => m.status),
      ['error', 'completed'],
    )
    const inverted = await h.call(
      'GET',
      '/v2.1/os-migrations?changes-since=2026-01-03T00:00:00Z&changes-before=2026-01-02T00:00:00Z',
      undefined,
      { version: '2.66' },
    )
    assert.equal(inverted.status, 400)
    const v80 = (await h.call('GET', '/v2.1/os-migrations', undefined, { version: '2.80' })).body
      .migrations[0]
    assert.equal(v80.user_id, 'user-x')
    assert.equal(v80.project_id, 'project-b')
  })

  it('GET /servers/{id}/migrations lists in-progress live migrations (2.23+); show checks type and state', async () => {
    const url = `/v2.1/servers/${server}/migrations`
    assert.equal((await h.call('GET', url, undefined, { version: '2.22' })).status, 404)
    const list = await h.call('GET', url, undefined, { version: '2.23' })
    assert.equal(list.status, 200)
    assert.equal(list.body.migrations.length, 1)
    assert.deepEqual(Object.keys(list.body.migrations[0]).sort(), [
      'created_at',
      'dest_compute',
      'dest_host',
      'dest_node',
      'disk_processed_bytes',
      'disk_remaining_bytes',
      'disk_total_bytes',
      'id',
      'memory_processed_bytes',
      'memory_remaining_bytes',
      'memory_total_bytes',
      'server_uuid',
      'source_compute',
      'source_node',
      'status',
      'updated_at',
    ])
    const show = await h.call('GET', `${url}/${ids.running}`, undefined, { version: '2.80' })
    assert.equal(show.body.migration.server_uuid, server)
    assert.equal(show.body.migration.uuid, '00000000-0000-0000-0000-000000000002')
    assert.equal(show.body.migration.project_id, 'project-a')
    const resize = await h.call('GET', `${url}/${ids.confirmed}`, undefined, { version: '2.23' })
    assert.deepEqual(
      resize.body.itemNotFound.message,
      `Migration ${ids.confirmed} for server ${server} is not live-migration.`,
    )
    const done = await h.call('GET', `/v2.1/servers/${other}/migrations/${ids.completed}`, undefined, {
      version: '2.23',
    })
    assert.equal(
      done.body.itemNotFound.message,
      `Live migration ${ids.completed} for server ${other} is not in progress.`,
    )
    const elsewhere = await h.call('GET', `${url}/${ids.completed}`, undefined, { version: '2.23' })
    assert.equal(elsewhere.status, 404)
    assert.equal((await h.call('GET', url, undefined, { version: '2.23', token: 'MEMBER_A' })).status, 403)
    const missing = await h.call('GET', '/v2.1/servers/nope/migrations', undefined, { version: '2.23' })
    assert.equal(missing.body.itemNotFound.message, 'Instance nope could not be found.')
  })
})
