import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { currentContext, makeContext } from '../../src/common/context.js'
import {
  Invalid,
  MessagingTimeout,
  RpcMethodNotFound,
  UnexpectedStateError,
  UnsupportedRpcVersion,
} from '../../src/common/errors/index.js'
import { silentLogger } from '../../src/common/logger.js'
import {
  Notifier,
  RpcClient,
  RpcServer,
  type MessageBus,
  type NotificationEnvelope,
} from '../../src/bus/index.js'
import { busBackends } from '../support/backends.js'
import { openTestBus, uniqueName } from '../support/test-bus.js'

const ctx = makeContext({ userId: 'u1', projectId: 'p1', roles: ['member'] })

for (const backend of await busBackends()) {
  describe(`[bus:${backend.name}] RPC semantics`, { skip: backend.skip }, () => {
    let bus: MessageBus
    const servers: RpcServer[] = []
    const seen: { server: string; method: string; value: unknown }[] = []

    async function serve(topic: string, server: string, version = '1.3'): Promise<RpcServer> {
      const rpc = new RpcServer({
        bus,
        topic,
        server,
        version,
        logger: silentLogger(),
        endpoints: {
          echo: async (c, args) => ({
            args,
            requestId: c.requestId,
            logged: currentContext()?.requestId,
            server,
          }),
          record: async (_c, args) => {
            seen.push({ server, method: 'record', value: args.value })
            return null
          },
          conflict: async () => {
            throw new UnexpectedStateError({
              table: 'instances',
              id: 'i1',
              field: 'task_state',
              expected: null,
              actual: 'deleting',
            })
          },
          slow: async (_c, args) => {
            await sleep(Number(args.ms))
            return 'done'
          },
        },
      })
      await rpc.start()
      servers.push(rpc)
      return rpc
    }

    before(async () => {
      bus = await openTestBus(backend)
    })
    after(async () => {
      for (const s of servers) await s.stop()
      await bus.close()
    })

    const client = (topic: string, version = '1.0', versionCap?: string): RpcClient =>
      new RpcClient({
        bus,
        topic,
        version,
        timeoutMs: 5000,
        ...(versionCap === undefined ? {} : { versionCap }),
      })

    it('call carries arguments and the request context, and returns the reply', async () => {
      const topic = uniqueName('echo')
      await serve(topic, 'host1')
      const reply = await client(topic).call<{ args: unknown; requestId: string; logged: string }>(
        ctx,
        'echo',
        { a: [1, 'two'] },
      )
      assert.deepEqual(reply.args, { a: [1, 'two'] })
      assert.equal(reply.requestId, ctx.requestId)
      assert.equal(reply.logged, ctx.requestId, 'the handler runs inside the caller context')
    })

    it('a typed error thrown by the handler arrives as the same class with its details', async () => {
      const topic = uniqueName('err')
      await serve(topic, 'host1')
      await assert.rejects(client(topic).call(ctx, 'conflict', {}), (error: unknown) => {
        assert.ok(error instanceof UnexpectedStateError)
        assert.equal(error.details.actual, 'deleting')
        return true
      })
    })

    it('a call to a topic nobody serves fails with MessagingTimeout after the timeout', async () => {
      const started = Date.now()
      await assert.rejects(
        client(uniqueName('nobody')).call(ctx, 'echo', {}, { timeoutMs: 300 }),
        (error: unknown) => error instanceof MessagingTimeout,
      )
      assert.ok(Date.now() - started >= 290)
    })

    it('casts to a topic are shared between its servers; casts to topic.server reach that server', async () => {
      const topic = uniqueName('cast')
      await serve(topic, 'a')
      await serve(topic, 'b')
      const rpc = client(topic)
      for (let i = 0; i < 10; i++) await rpc.cast(ctx, 'record', { value: `shared-${i}` })
      for (let i = 0; i < 3; i++) await rpc.cast(ctx, 'record', { value: `to-b-${i}` }, { server: 'b' })
      await waitFor(
        () =>
          seen.filter((s) => String(s.value).startsWith('shared-') || String(s.value).startsWith('to-b-'))
            .length === 13,
      )
      const shared = seen.filter((s) => String(s.value).startsWith('shared-'))
      assert.equal(new Set(shared.map((s) => s.value)).size, 10, 'each cast handled exactly once')
      assert.ok(
        shared.some((s) => s.server === 'a') && shared.some((s) => s.server === 'b'),
        'both servers took some',
      )
      assert.ok(seen.filter((s) => String(s.value).startsWith('to-b-')).every((s) => s.server === 'b'))
    })

    it('fanout reaches every server of the topic', async () => {
      const topic = uniqueName('fan')
      await serve(topic, 'a')
      await serve(topic, 'b')
      await client(topic).cast(ctx, 'record', { value: 'fanned' }, { fanout: true })
      await waitFor(() => seen.filter((s) => s.value === 'fanned').length === 2)
      assert.deepEqual(
        seen
          .filter((s) => s.value === 'fanned')
          .map((s) => s.server)
          .sort(),
        ['a', 'b'],
      )
    })

    it('negotiates versions: older minor served, newer minor and other major refused, cap enforced by the client', async () => {
      const topic = uniqueName('ver')
      await serve(topic, 'h', '1.3')
      assert.ok(await client(topic, '1.2').call(ctx, 'echo', {}))
      await assert.rejects(client(topic, '1.4').call(ctx, 'echo', {}), UnsupportedRpcVersion)
      await assert.rejects(client(topic, '2.0').call(ctx, 'echo', {}), UnsupportedRpcVersion)
      const capped = client(topic, '1.0', '1.1')
      assert.equal(capped.canSendVersion('1.1'), true)
      assert.equal(capped.canSendVersion('1.10'), false)
      await assert.rejects(capped.call(ctx, 'echo', {}, { version: '1.2' }), UnsupportedRpcVersion)
    })

    it('an unknown method is RpcMethodNotFound', async () => {
      const topic = uniqueName('unknown')
      await serve(topic, 'h')
      await assert.rejects(client(topic).call(ctx, 'nope', {}), RpcMethodNotFound)
      await assert.rejects(client(topic).call(ctx, 'toString', {}), RpcMethodNotFound)
    })

    it('refuses data that cannot cross a wire, before sending', async () => {
      const topic = uniqueName('data')
      await serve(topic, 'h')
      await assert.rejects(client(topic).call(ctx, 'echo', { when: new Map() }), Invalid)
      await assert.rejects(client(topic).call(ctx, 'echo', { f: () => 1 }), Invalid)
    })

    it('stop() lets the request in flight finish and its reply arrive, then takes no more', async () => {
      const topic = uniqueName('drain')
      const server = await serve(topic, 'h')
      const rpc = client(topic)
      const inFlight = rpc.call(ctx, 'slow', { ms: 300 })
      await sleep(100)
      await server.stop(5000)
      assert.equal(await inFlight, 'done')
      await assert.rejects(rpc.call(ctx, 'echo', {}, { timeoutMs: 300 }), MessagingTimeout)
    })

    it('publishes versioned notifications; pooled listeners share them, a pool-less listener sees all', async () => {
      const topic = uniqueName('versioned_notifications')
      const pooled: string[] = []
      const everything: NotificationEnvelope[] = []
      const subs = [
        await bus.listenNotifications(
          [`${topic}.info`],
          'pool1',
          async (n) => void pooled.push(`1:${n.event_type}`),
        ),
        await bus.listenNotifications(
          [`${topic}.info`],
          'pool1',
          async (n) => void pooled.push(`2:${n.event_type}`),
        ),
        await bus.listenNotifications([`${topic}.info`], undefined, async (n) => void everything.push(n)),
      ]
      const notifier = new Notifier({ bus, publisherId: 'nova-compute:host1', topics: [topic] })
      for (let i = 0; i < 4; i++) {
        await notifier.info(ctx, 'instance.create.start', {
          name: 'InstanceActionPayload',
          version: '1.8',
          data: { uuid: `i${i}` },
        })
      }
      await waitFor(() => pooled.length === 4 && everything.length === 4)
      const first = everything[0]!
      assert.equal(first.publisher_id, 'nova-compute:host1')
      assert.equal(first.priority, 'INFO')
      assert.equal(first.payload['nova_object.name'], 'InstanceActionPayload')
      assert.deepEqual(first.payload['nova_object.data'], { uuid: 'i0' })
      for (const s of subs) await s.stop()
    })
  })
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(10)
  }
}
