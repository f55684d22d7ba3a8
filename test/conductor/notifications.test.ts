import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createBus, type MessageBus, type NotificationEnvelope } from '../../src/bus/index.js'
import { silentLogger } from '../../src/common/logger.js'
import { makeContext } from '../../src/common/context.js'
import { loadConfig } from '../../src/config/index.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import { createInstanceActionsRepository } from '../../src/db/repositories/instance-actions.js'
import { createInstancesRepository } from '../../src/db/repositories/instances.js'
import type { ConductorDeps } from '../../src/services/conductor/conductor-deps.js'
import { eventNotificationsFor } from '../../src/services/conductor/index.js'
import { conductorEndpoints } from '../../src/services/conductor/server.js'

const VERSIONED = {
  notifications: { notification_format: 'versioned' },
  oslo_messaging_notifications: { driver: ['messagingv2'] },
}

describe('conductor: versioned notifications of instance action events', () => {
  let dir: string
  let db: Database<unknown>
  let bus: MessageBus
  const seen: NotificationEnvelope[] = []

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nova-notifications-'))
    db = await openDatabase(`sqlite:///${path.join(dir, 'main.sqlite')}`)
    await syncSchema(db, 'main')
    bus = await createBus('memory://', { logger: silentLogger() })
    await bus.listenNotifications(
      ['versioned_notifications.info', 'versioned_notifications.error'],
      undefined,
      async (n) => void seen.push(n),
    )
  })
  after(async () => {
    await bus.close()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('is off unless a driver is set and the format is versioned or both (Nova defaults: off)', () => {
    const bus0 = undefined as unknown as MessageBus
    const repo = undefined as never
    const defaults = loadConfig({ overrides: {} }).config
    assert.equal(eventNotificationsFor(defaults, bus0, repo, repo, silentLogger()), undefined)
    const both = loadConfig({
      overrides: {
        notifications: { notification_format: 'both' },
        oslo_messaging_notifications: { driver: ['messagingv2'] },
      },
    }).config
    assert.notEqual(eventNotificationsFor(both, bus0, repo, repo, silentLogger()), undefined)
    const unversioned = loadConfig({
      overrides: { oslo_messaging_notifications: { driver: ['messagingv2'] } },
    }).config
    assert.equal(eventNotificationsFor(unversioned, bus0, repo, repo, silentLogger()), undefined)
  })

  it('sends instance.<action>.start/end from compute events, .error with the fault, nothing for others', async () => {
    const instances = createInstancesRepository(db)
    const actions = createInstanceActionsRepository(db)
    const config = loadConfig({
      overrides: {
        notifications: VERSIONED.notifications,
        oslo_messaging_notifications: VERSIONED.oslo_messaging_notifications,
      },
    }).config
    const notifications = eventNotificationsFor(config, bus, instances, actions, silentLogger())
    const endpoints = conductorEndpoints({
      build: { instances, actions, notifications, logger: silentLogger() },
    } as unknown as ConductorDeps)
    const instance = await instances.create({
      project_id: 'p1',
      user_id: 'u1',
      display_name: 'vm1',
      vm_state: 'active',
      power_state: 1,
      host: 'cmp-1',
      node: 'cmp-1',
      flavor: {
        cur: { flavorid: '42', name: 'm1.nano', memory_mb: 128, vcpus: 1, root_gb: 1, ephemeral_gb: 0 },
        old: null,
        new: null,
      },
    })
    const ctx = makeContext({ requestId: 'req-1', userId: 'u1', projectId: 'p1' })
    await actions.startAction(instance.uuid, {
      action: 'stop',
      requestId: 'req-1',
      userId: 'u1',
      projectId: 'p1',
    })

    const id = (await endpoints.action_event_start!(ctx, {
      uuid: instance.uuid,
      event: 'compute_stop_instance',
      host: 'cmp-1',
    })) as number
    await endpoints.action_event_finish!(ctx, { event_id: id, result: 'Success' })
    const failed = (await endpoints.action_event_start!(ctx, {
      uuid: instance.uuid,
      event: 'compute_reboot_instance',
      host: 'cmp-1',
    })) as number
    await endpoints.action_event_finish!(ctx, {
      event_id: failed,
      result: 'Error',
      traceback: 'InstanceRebootFailure: the guest did not come back\n    at reboot',
    })
    const other = (await endpoints.action_event_start!(ctx, {
      uuid: instance.uuid,
      event: 'compute_something_else',
      host: 'cmp-1',
    })) as number
    await endpoints.action_event_finish!(ctx, { event_id: other, result: 'Success' })

    const end = Date.now() + 5000
    while (seen.length < 4 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(
      seen.map((n) => `${n.priority} ${n.event_type}`),
      [
        'INFO instance.power_off.start',
        'INFO instance.power_off.end',
        'INFO instance.reboot.start',
        'ERROR instance.reboot.error',
      ],
    )
    const start = seen[0]!
    assert.equal(start.publisher_id, 'nova-compute:cmp-1')
    assert.equal(start.payload['nova_object.name'], 'InstanceActionPayload')
    const data = start.payload['nova_object.data'] as Record<string, unknown>
    assert.equal(data.uuid, instance.uuid)
    assert.equal(data.tenant_id, 'p1')
    assert.equal(data.display_name, 'vm1')
    assert.equal(data.state, 'active')
    assert.equal(data.power_state, 'running')
    assert.equal(data.request_id, 'req-1')
    assert.equal(data.fault, null)
    const flavor = data.flavor as Record<string, unknown>
    assert.equal((flavor['nova_object.data'] as Record<string, unknown>).flavorid, '42')
    const error = seen[3]!.payload['nova_object.data'] as Record<string, unknown>
    const fault = (error.fault as Record<string, unknown>)['nova_object.data'] as Record<string, unknown>
    assert.equal(fault.exception, 'InstanceRebootFailure')
    assert.equal(fault.exception_message, 'the guest did not come back')
  })

  it("live migration's compute events send Nova's instance.live_migration_* notifications", async () => {
    seen.length = 0
    const instances = createInstancesRepository(db)
    const actions = createInstanceActionsRepository(db)
    const config = loadConfig({ overrides: VERSIONED }).config
    const notifications = eventNotificationsFor(config, bus, instances, actions, silentLogger())
    const endpoints = conductorEndpoints({
      build: { instances, actions, notifications, logger: silentLogger() },
    } as unknown as ConductorDeps)
    const instance = await instances.create({
      project_id: 'p1',
      user_id: 'u1',
      vm_state: 'active',
      host: 'a',
    })
    const ctx = makeContext({ requestId: 'req-lm', userId: 'u1', projectId: 'p1' })
    await actions.startAction(instance.uuid, {
      action: 'live-migration',
      requestId: 'req-lm',
      userId: 'u1',
      projectId: 'p1',
    })
    const events = [
      ['compute_pre_live_migration', 'b'],
      ['compute__post_live_migration', 'a'],
      ['compute_post_live_migration_at_destination', 'b'],
      ['compute__rollback_live_migration', 'a'],
      ['compute_rollback_live_migration_at_destination', 'b'],
      ['compute_live_migration_force_complete', 'a'],
      ['compute_live_migration_abort', 'a'],
    ]
    for (const [event, host] of events) {
      const id = (await endpoints.action_event_start!(ctx, { uuid: instance.uuid, event, host })) as number
      await endpoints.action_event_finish!(ctx, { event_id: id, result: 'Success' })
    }
    const end = Date.now() + 5000
    while (seen.length < 14 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(
      seen.map((n) => `${n.event_type} ${n.publisher_id}`),
      [
        'live_migration_pre b',
        'live_migration_post a',
        'live_migration_post_dest b',
        'live_migration_rollback a',
        'live_migration_rollback_dest b',
        'live_migration_force_complete a',
        'live_migration_abort a',
      ].flatMap((x) => {
        const [action, host] = x.split(' ')
        return [
          `instance.${action}.start nova-compute:${host}`,
          `instance.${action}.end nova-compute:${host}`,
        ]
      }),
    )
  })
})
