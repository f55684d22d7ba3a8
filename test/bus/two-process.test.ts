import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { makeContext } from '../../src/common/context.js'
import { MessagingTimeout, UnexpectedStateError } from '../../src/common/errors/index.js'
import { RpcClient, type MessageBus } from '../../src/bus/index.js'
import { busBackends } from '../support/backends.js'
import { closeRabbitConnectionsOf } from '../support/rabbitmq.js'
import { openTestBus, uniqueName } from '../support/test-bus.js'
import { REPO } from '../support/spawn-binary.js'

const rabbit = (await busBackends()).find((b) => b.name === 'rabbit')!

describe('[bus-split:rabbit] a service in another process', { skip: rabbit.skip }, () => {
  const exchange = uniqueName('split')
  const topic = uniqueName('echo')
  const ctx = makeContext()
  let bus: MessageBus
  let client: RpcClient
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, 'test/bus/fixtures/echo-server.ts'), rabbit.url, exchange, topic],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let childLog = ''
  child.stderr.on('data', (c: Buffer) => (childLog += c.toString()))

  before(async () => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child never got ready: ${childLog}`)), 30_000)
      child.stdout.on('data', (c: Buffer) => {
        if (c.toString().includes('ready')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => reject(new Error(`child exited ${code}: ${childLog}`)))
    })
    bus = await openTestBus(rabbit, exchange)
    client = new RpcClient({ bus, topic, version: '1.0', timeoutMs: 10_000 })
  })
  after(async () => {
    child.kill('SIGKILL')
    await bus?.close()
  })

  it('answers call from the other process, carrying the request id', async () => {
    const reply = await client.call<{ pid: number; requestId: string }>(ctx, 'whoami', {})
    assert.equal(reply.pid, child.pid)
    assert.equal(reply.requestId, ctx.requestId)
  })

  it("delivers the service's typed error as the same class", async () => {
    await assert.rejects(
      client.call(ctx, 'conflict', {}),
      (e: unknown) => e instanceof UnexpectedStateError && e.details.actual === 'error',
    )
  })

  it('times out a call to a topic nobody serves after rpc_response_timeout', async () => {
    const started = Date.now()
    const nobody = new RpcClient({ bus, topic: uniqueName('nobody'), version: '1.0', timeoutMs: 500 })
    await assert.rejects(nobody.call(ctx, 'whoami', {}), MessagingTimeout)
    assert.ok(Date.now() - started >= 490)
  })

  it('reconnects after the broker drops both connections, and the next call succeeds', async () => {
    const closed = await closeRabbitConnectionsOf([process.pid, child.pid!])
    assert.ok(closed >= 2, `closed ${closed} connections`)
    const reply = await client.call<{ pid: number }>(ctx, 'whoami', {})
    assert.equal(
      reply.pid,
      child.pid,
      'the same service process answers: it reconnected, it was not restarted',
    )
    assert.match(childLog, /lost the RabbitMQ connection/)
    assert.match(childLog, /connected to RabbitMQ/)
  })
})
