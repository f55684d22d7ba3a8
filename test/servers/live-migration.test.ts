import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { createServicesRepository } from '../../src/db/index.js'
import { createMovesRepository } from '../../src/db/repositories/migrations.js'
import { PlacementClient } from '../../src/services/placement/client.js'
import { databaseBackends } from '../support/backends.js'
import { until, type BuildCloud, type Obj } from '../support/build-harness.js'
import { startMoveCloud } from '../support/move-cloud.js'
import { withTestDatabase } from '../support/test-database.js'

const hostOf = (server: Obj): string => server['OS-EXT-SRV-ATTR:host']

describe('[live-migration] os-migrateLive, force_complete and abort across two fake computes', () => {
  let cloud: BuildCloud
  const admin = (method: string, url: string, body?: unknown, version = 'latest') =>
    cloud.call(method, url, body, 'ADMIN', version)
  const live = (id: string, body: unknown, version = 'latest', token = 'ADMIN') =>
    cloud.call('POST', `/servers/${id}/action`, { 'os-migrateLive': body }, token, version)

  const boot = async (name: string): Promise<Obj> => {
    const r = await cloud.call('POST', '/servers', {
      server: { name, imageRef: cloud.imageId, flavorRef: '1', networks: 'none' },
    })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    return await cloud.status(r.body.server.id, 'ACTIVE')
  }
  const other = (host: string) => (host === 'cmp-1' ? 'cmp-2' : 'cmp-1')
  const settled = async (id: string): Promise<Obj> =>
    await until(`${id} without a task`, async () => {
      const s = (await admin('GET', `/servers/${id}`)).body.server
      return s['OS-EXT-STS:task_state'] === null ? s : undefined
    })
  const migrations = async (id: string): Promise<Obj[]> =>
    ((await admin('GET', `/os-migrations?instance_uuid=${id}`)).body.migrations as Obj[]).sort(
      (a, b) => a.id - b.id,
    )
  const lastMigration = async (id: string): Promise<Obj> => (await migrations(id)).at(-1)!
  /** The provider uuids the consumer holds allocations on. */
  const providers = async (consumer: string): Promise<string[]> =>
    Object.keys((await new PlacementClient(cloud.placement!.transport).allocationsOf(consumer)).allocations)
  const nodeUuid = async (host: string): Promise<string> => {
    const r = await admin('GET', '/os-hypervisors/detail', undefined, '2.53')
    const h = (r.body.hypervisors as Obj[]).find((x) => x.service.host === host)
    assert.ok(h, JSON.stringify(r.body))
    return h.id as string
  }
  const eventsOf = async (id: string, action: string): Promise<Obj[]> => {
    const list = (await admin('GET', `/servers/${id}/os-instance-actions`)).body.instanceActions as Obj[]
    const found = list.find((a) => a.action === action)
    assert.ok(found, `action ${action} recorded: ${JSON.stringify(list)}`)
    return await until(`events of ${action}`, async () => {
      const one = await admin('GET', `/servers/${id}/os-instance-actions/${found.request_id}`)
      const evs = one.body.instanceAction.events as Obj[]
      return evs.length > 0 && evs.every((e) => e.finish_time !== null) ? evs : undefined
    })
  }
  /** Waits for the server's in-progress live migration to be `running` with progress figures. */
  const runningMigration = async (id: string): Promise<Obj> =>
    await until(`a running live migration of ${id}`, async () => {
      const r = await admin('GET', `/servers/${id}/migrations`, undefined, '2.24')
      const m = (r.body.migrations as Obj[] | undefined)?.[0]
      return m?.status === 'running' && m.memory_total_bytes !== null ? m : undefined
    })

  before(async () => {
    cloud = await startMoveCloud({ admin: true })
  })
  after(async () => await cloud?.close())

  it('to a named host (2.30, checked by the scheduler): ACTIVE there, allocations only there, migration completed', async () => {
    const server = await boot('lm-host')
    const source = hostOf(server)
    const dest = other(source)
    const r = await live(server.id, { host: dest, block_migration: 'auto' }, '2.30')
    assert.equal(r.status, 202, JSON.stringify(r.body))
    const moved = await until('the server on its destination', async () => {
      const s = await settled(server.id)
      return hostOf(s) === dest ? s : undefined
    })
    assert.equal(moved.status, 'ACTIVE')
    assert.equal(moved['OS-EXT-STS:power_state'], 1)
    assert.equal(moved['OS-EXT-SRV-ATTR:hypervisor_hostname'], dest)
    assert.deepEqual(await providers(server.id), [await nodeUuid(dest)])
    const m = await lastMigration(server.id)
    assert.equal(m.status, 'completed')
    assert.equal(m.migration_type, 'live-migration')
    assert.deepEqual([m.source_compute, m.dest_compute, m.dest_node], [source, dest, dest])
    assert.deepEqual(await providers(m.uuid), [], 'the migration holds nothing any more')
    assert.ok((await cloud.drivers.get(dest)!.listInstanceUuids()).includes(server.id))
    assert.ok(!(await cloud.drivers.get(source)!.listInstanceUuids()).includes(server.id))
    const events = (await eventsOf(server.id, 'live-migration')).map((e) => `${e.event}:${e.result}`)
    for (const e of [
      'conductor_live_migrate_instance',
      'compute_check_can_live_migrate_destination',
      'compute_check_can_live_migrate_source',
      'compute_pre_live_migration',
      'compute_live_migration',
      'compute__post_live_migration',
      'compute_post_live_migration_at_destination',
    ])
      assert.ok(events.includes(`${e}:Success`), `${e} in ${events.join(', ')}`)
    // Nothing is in progress any more.
    assert.deepEqual((await admin('GET', `/servers/${server.id}/migrations`)).body.migrations, [])
  })

  it('without a host (latest): the scheduler picks the other host; a paused server arrives paused', async () => {
    const server = await boot('lm-auto')
    const source = hostOf(server)
    assert.equal((await live(server.id, { host: null, block_migration: 'auto' })).status, 202)
    const moved = await until('moved', async () => {
      const s = await settled(server.id)
      return hostOf(s) !== source ? s : undefined
    })
    assert.equal(moved.status, 'ACTIVE')
    assert.deepEqual(await providers(server.id), [await nodeUuid(other(source))])

    assert.equal((await cloud.call('POST', `/servers/${server.id}/action`, { pause: null })).status, 202)
    await cloud.status(server.id, 'PAUSED')
    assert.equal((await live(server.id, { host: null, block_migration: 'auto' })).status, 202)
    const back = await until('moved back', async () => {
      const s = await settled(server.id)
      return hostOf(s) === source ? s : undefined
    })
    assert.equal(back.status, 'PAUSED')
    assert.equal(back['OS-EXT-STS:power_state'], 3)
  })

  it('abort while running: 202, migration cancelled, the server stays ACTIVE on its source with its allocations', async () => {
    const server = await boot('lm-abort')
    const source = hostOf(server)
    cloud.drivers.get(source)!.setLiveMigrationDurationMs(60_000)
    try {
      assert.equal((await live(server.id, { host: null, block_migration: 'auto' })).status, 202)
      const m = await runningMigration(server.id)
      assert.equal(m.memory_total_bytes, 1024 * 1024 * 1024)
      assert.equal(m.disk_total_bytes, 10 * 1024 ** 3, 'a block migration (the fake hosts share no storage)')
      assert.equal(m.server_uuid, server.id)
      const shown = await admin('GET', `/servers/${server.id}/migrations/${m.id}`)
      assert.equal(shown.body.migration.status, 'running')
      // Another live migration meanwhile: the task is taken.
      assert.equal((await live(server.id, { host: null, block_migration: 'auto' })).status, 409)
      // Before 2.24 there is no abort.
      assert.equal(
        (await admin('DELETE', `/servers/${server.id}/migrations/${m.id}`, undefined, '2.23')).status,
        404,
      )
      const r = await admin('DELETE', `/servers/${server.id}/migrations/${m.id}`, undefined, '2.24')
      assert.equal(r.status, 202, JSON.stringify(r.body))
      const after = await settled(server.id)
      assert.equal(after.status, 'ACTIVE')
      assert.equal(hostOf(after), source)
      assert.equal((await lastMigration(server.id)).status, 'cancelled')
      assert.deepEqual(await providers(server.id), [await nodeUuid(source)])
      assert.ok((await cloud.drivers.get(source)!.listInstanceUuids()).includes(server.id))
      assert.ok(!(await cloud.drivers.get(other(source))!.listInstanceUuids()).includes(server.id))
      const cancel = await eventsOf(server.id, 'live_migration_cancel')
      assert.ok(cancel.some((e) => e.event === 'compute_live_migration_abort' && e.result === 'Success'))
      // The migration is over: no server task, so aborting it again is a conflict.
      assert.equal((await admin('DELETE', `/servers/${server.id}/migrations/${m.id}`)).status, 409)
    } finally {
      cloud.drivers.get(source)!.setLiveMigrationDurationMs(0)
    }
  })

  it('force_complete while running: 202, the migration completes on the destination', async () => {
    const server = await boot('lm-force')
    const source = hostOf(server)
    cloud.drivers.get(source)!.setLiveMigrationDurationMs(60_000)
    try {
      assert.equal(
        (await live(server.id, { host: other(source), block_migration: 'auto', force: false }, '2.30'))
          .status,
        202,
      )
      const m = await runningMigration(server.id)
      const url = `/servers/${server.id}/migrations/${m.id}/action`
      assert.equal((await admin('POST', url, { force_complete: null }, '2.21')).status, 404)
      assert.equal((await admin('POST', url, { force_complete: 1 }, '2.22')).status, 400)
      assert.equal((await cloud.call('POST', url, { force_complete: null }, 'MEMBER_A', '2.22')).status, 403)
      const r = await admin('POST', url, { force_complete: null }, '2.22')
      assert.equal(r.status, 202, JSON.stringify(r.body))
      const moved = await until('completed', async () => {
        const s = await settled(server.id)
        return hostOf(s) === other(source) ? s : undefined
      })
      assert.equal(moved.status, 'ACTIVE', 'the force-complete pause is not carried over')
      assert.equal((await lastMigration(server.id)).status, 'completed')
      const forced = await eventsOf(server.id, 'live_migration_force_complete')
      assert.ok(
        forced.some((e) => e.event === 'compute_live_migration_force_complete' && e.result === 'Success'),
      )
      // Not running any more: the server has no task, so force_complete is a conflict.
      assert.equal((await admin('POST', url, { force_complete: null }, '2.22')).status, 409)
    } finally {
      cloud.drivers.get(source)!.setLiveMigrationDurationMs(0)
    }
  })

  it('a transfer or a destination that fails rolls back: migration error, ACTIVE on the source, its allocations', async () => {
    const server = await boot('lm-fail')
    const source = hostOf(server)
    const dest = other(source)
    const check = async (failed: string) => {
      const after = await settled(server.id)
      assert.equal(after.status, 'ACTIVE', failed)
      assert.equal(hostOf(after), source, failed)
      assert.equal((await lastMigration(server.id)).status, 'error', failed)
      assert.deepEqual(await providers(server.id), [await nodeUuid(source)], failed)
      assert.ok((await cloud.drivers.get(source)!.listInstanceUuids()).includes(server.id), failed)
      assert.ok(!(await cloud.drivers.get(dest)!.listInstanceUuids()).includes(server.id), failed)
    }
    cloud.drivers.get(source)!.failNext('liveMigration')
    assert.equal((await live(server.id, { host: dest, block_migration: 'auto' })).status, 202)
    await check('the transfer failed')
    const events = (await eventsOf(server.id, 'live-migration')).map((e) => `${e.event}:${e.result}`)
    assert.ok(events.includes('compute_live_migration:Error'), events.join(', '))
    assert.ok(events.includes('compute__rollback_live_migration:Success'), events.join(', '))

    cloud.drivers.get(dest)!.failNext('preLiveMigration')
    assert.equal((await live(server.id, { host: dest, block_migration: 'auto' })).status, 202)
    await check('pre_live_migration failed')
    // The server can still go once nothing fails.
    assert.equal((await live(server.id, { host: dest, block_migration: 'auto' })).status, 202)
    await until('moved', async () => {
      const s = await settled(server.id)
      return hostOf(s) === dest ? s : undefined
    })
  })

  it('force_complete and abort check the migration: its status (2.65 also aborts queued/preparing), the server', async () => {
    const server = await boot('lm-gates')
    const moves = createMovesRepository(cloud.mainDb)
    const migration = await moves.create({
      instance_uuid: server.id,
      migration_type: 'live-migration',
      status: 'preparing',
      source_compute: hostOf(server),
      source_node: hostOf(server),
    })
    await cloud.instances.update(server.id, { task_state: 'migrating' })
    const url = `/servers/${server.id}/migrations/${migration.id}`
    const force = await admin('POST', `${url}/action`, { force_complete: null }, '2.22')
    assert.equal(force.status, 400)
    assert.match(force.body.badRequest.message, /state of instance .* is preparing\. Cannot force complete/)
    const early = await admin('DELETE', url, undefined, '2.64')
    assert.equal(early.status, 400)
    assert.match(early.body.badRequest.message, /is preparing\. Cannot abort live migration/)
    assert.equal((await admin('DELETE', `${url}9`, undefined, '2.65')).status, 404)
    assert.equal((await cloud.call('DELETE', url, undefined, 'MEMBER_A', '2.65')).status, 403)
    assert.equal((await admin('DELETE', url, undefined, '2.65')).status, 202)
    assert.equal((await admin('POST', `${url}9/action`, { force_complete: null }, '2.22')).status, 400)
    await moves.update(migration.id, { status: 'error' })
    await cloud.instances.update(server.id, { task_state: null })
  })

  it('a source nova-compute restarted mid-migration ends it in error, the server ACTIVE there with its allocations', async () => {
    const server = await boot('lm-restart')
    const source = hostOf(server)
    const dest = other(source)
    // What a crash in the middle of the transfer leaves: the task, a running migration holding the allocations.
    const migration = await createMovesRepository(cloud.mainDb).create({
      instance_uuid: server.id,
      migration_type: 'live-migration',
      status: 'running',
      source_compute: source,
      source_node: source,
      dest_compute: dest,
      dest_node: dest,
      dest_host: dest,
    })
    const placement = new PlacementClient(cloud.placement!.transport)
    assert.ok(await placement.moveAllocations(server.id, migration.uuid, 'MIGRATION'))
    await cloud.instances.update(server.id, { task_state: 'migrating' })
    await cloud.computes.get(source)!.stop(1000)
    const restarted = cloud.makeCompute(source, { driver: cloud.drivers.get(source)! })
    cloud.computes.set(source, restarted)
    await restarted.start()
    const after = await settled(server.id)
    assert.equal(after.status, 'ACTIVE')
    assert.equal(hostOf(after), source)
    assert.equal((await lastMigration(server.id)).status, 'error')
    assert.deepEqual(await providers(server.id), [await nodeUuid(source)])
    assert.deepEqual(await providers(migration.uuid), [])
    assert.deepEqual((await admin('GET', `/servers/${server.id}/migrations`)).body.migrations, [])
  })

  it("refusals answer as Nova's API: policy, states, hosts, storage, microversion schemas", async () => {
    const server = await boot('lm-errors')
    const id = server.id
    const source = hostOf(server)
    const dest = other(source)
    const expectError = async (r: { status: number; body: Obj }, status: number, text: RegExp) => {
      assert.equal(r.status, status, JSON.stringify(r.body))
      const fault = Object.values(r.body)[0] as Obj
      assert.match(fault.message, text)
    }
    await expectError(
      await live(id, { host: null, block_migration: 'auto' }, 'latest', 'MEMBER_A'),
      403,
      /os-migrate-server:migrate_live/,
    )
    await expectError(
      await live(id, { host: 'nope', block_migration: 'auto' }),
      400,
      /Compute host nope could not be found/,
    )
    // Before 2.34 the conductor's checks answer here.
    await expectError(
      await live(id, { host: source, block_migration: 'auto' }, '2.30'),
      400,
      new RegExp(`Unable to migrate instance \\(${id}\\) to current host \\(${source}\\)`),
    )
    await expectError(
      await live(id, { host: dest, block_migration: false, disk_over_commit: false }, '2.1'),
      400,
      /is not on shared storage/,
    )
    const services = createServicesRepository(cloud.mainDb)
    const destService = (await services.getByHostAndBinary(dest, 'nova-compute'))!
    await services.update(destService.id, { forcedDown: true })
    try {
      await expectError(
        await live(id, { host: dest, block_migration: 'auto' }, '2.30'),
        400,
        new RegExp(`Compute service of ${dest} is unavailable at this time`),
      )
    } finally {
      await services.update(destService.id, { forcedDown: false })
    }
    await expectError(
      await live(id, { host: null, block_migration: 'auto', force: true }, '2.30'),
      400,
      /Can't force to a non-provided destination/,
    )
    // The refused migrations left the server as it was, and their migrations in error.
    const now = await settled(id)
    assert.equal(now.status, 'ACTIVE')
    assert.equal(hostOf(now), source)
    assert.deepEqual(await providers(id), [await nodeUuid(source)])
    const refused = await migrations(id)
    assert.ok(refused.length >= 3 && refused.every((m) => m.status === 'error'), JSON.stringify(refused))

    // Schemas per microversion.
    const schema = async (version: string, body: unknown) => {
      const r = await live(id, body, version)
      assert.equal(r.status, 400, `${version} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`)
      assert.match(r.body.badRequest.message, /Invalid input|Additional properties|required/)
    }
    await schema('2.1', { host: null, block_migration: true })
    await schema('2.1', { host: null, block_migration: 'auto', disk_over_commit: false })
    await schema('2.25', { host: null, block_migration: true, disk_over_commit: false })
    await schema('2.25', { block_migration: true })
    await schema('2.25', { host: null, block_migration: 'yes' })
    await schema('2.29', { host: null, block_migration: 'auto', force: false })
    await schema('2.68', { host: dest, block_migration: 'auto', force: true })

    // A stopped server cannot be live migrated.
    assert.equal((await cloud.call('POST', `/servers/${id}/action`, { 'os-stop': null })).status, 202)
    await cloud.status(id, 'SHUTOFF')
    await expectError(
      await live(id, { host: null, block_migration: 'auto' }),
      409,
      /Cannot 'os-migrateLive' instance .* while it is in vm_state stopped/,
    )
    // 2.1 with the old body works (host forced, a block migration), on a running server.
    assert.equal((await cloud.call('POST', `/servers/${id}/action`, { 'os-start': null })).status, 202)
    await cloud.status(id, 'ACTIVE')
    const ok = await live(id, { host: dest, block_migration: 'True', disk_over_commit: 'False' }, '2.1')
    assert.equal(ok.status, 202, JSON.stringify(ok.body))
    await until('moved', async () => {
      const s = await settled(id)
      return hostOf(s) === dest ? s : undefined
    })
    // A finished migration: force_complete needs a running server migration, abort one that runs.
    const done = await lastMigration(id)
    assert.equal(done.status, 'completed')
    await expectError(
      await admin('DELETE', `/servers/${id}/migrations/${done.id + 1000}`, undefined, '2.24'),
      409,
      /task_state None/,
    )
  })
})

for (const backend of (await databaseBackends()).filter((b) => b.name !== 'sqlite'))
  describe(
    `[live-migration:${backend.name}] the cell database on ${backend.name}`,
    { skip: backend.skip },
    () => {
      it('a live migration to a host completes, an aborted one is cancelled; progress and records read back', async () => {
        await withTestDatabase(backend, async (mainUrl) => {
          const cloud = await startMoveCloud({ admin: true, mainUrl })
          try {
            const admin = (method: string, url: string, body?: unknown) =>
              cloud.call(method, url, body, 'ADMIN', 'latest')
            const server = await (async () => {
              const r = await cloud.call('POST', '/servers', {
                server: { name: 'lm-db', imageRef: cloud.imageId, flavorRef: '1', networks: 'none' },
              })
              return await cloud.status(r.body.server.id, 'ACTIVE')
            })()
            const source = hostOf(server)
            const dest = source === 'cmp-1' ? 'cmp-2' : 'cmp-1'
            const settledOn = (host: string) =>
              until(`on ${host}`, async () => {
                const s = (await admin('GET', `/servers/${server.id}`)).body.server
                return s['OS-EXT-STS:task_state'] === null && hostOf(s) === host ? s : undefined
              })
            const live = (host: string | null) =>
              admin('POST', `/servers/${server.id}/action`, {
                'os-migrateLive': { host, block_migration: 'auto' },
              })
            assert.equal((await live(dest)).status, 202)
            await settledOn(dest)
            cloud.drivers.get(dest)!.setLiveMigrationDurationMs(60_000)
            assert.equal((await live(null)).status, 202)
            const running = await until('running', async () => {
              const m = (await admin('GET', `/servers/${server.id}/migrations`)).body.migrations?.[0]
              return m?.status === 'running' && m.disk_total_bytes !== null ? m : undefined
            })
            assert.equal(running.disk_total_bytes, 10 * 1024 ** 3)
            assert.equal(
              (await admin('DELETE', `/servers/${server.id}/migrations/${running.id}`)).status,
              202,
            )
            await settledOn(dest)
            const list = (await admin('GET', `/os-migrations?instance_uuid=${server.id}`)).body
              .migrations as Obj[]
            assert.deepEqual(
              list
                .map((m) => `${m.migration_type} ${m.status} ${m.source_compute}->${m.dest_compute}`)
                .sort(),
              [`live-migration cancelled ${dest}->${source}`, `live-migration completed ${source}->${dest}`],
            )
          } finally {
            await cloud.close()
          }
        })
      })
    },
  )
