import { strict as assert } from 'node:assert'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { makeContext } from '../common/context.js'
import { createLogger } from '../common/logger.js'
import { InProcessBus } from './in-process/memory-bus.js'
import { RpcClient } from './rpc-client.js'
import { RpcServer } from './rpc-server.js'

describe('request id across RPC', () => {
  it('log lines written by a handler carry the caller’s request id, and secrets are redacted', async () => {
    const lines: Record<string, unknown>[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n'))
          if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
        done()
      },
    })
    const logger = createLogger({ binary: 'nova-conductor', level: 'info', destination: sink })
    const bus = new InProcessBus()
    const server = new RpcServer({
      bus,
      topic: 'conductor',
      server: 'h',
      version: '1.0',
      logger,
      endpoints: {
        work: async (_ctx, args) => {
          logger.info({ password: args.password }, 'doing the work')
          return null
        },
      },
    })
    await server.start()
    const ctx = makeContext({ globalRequestId: 'req-00000000-0000-4000-8000-000000000000', projectId: 'p1' })
    await new RpcClient({ bus, topic: 'conductor', version: '1.0', timeoutMs: 1000 }).call(ctx, 'work', {
      password: 'hunter2',
    })
    await server.stop()
    await bus.close()
    const line = lines.find((l) => l.msg === 'doing the work')
    assert.ok(line !== undefined)
    assert.equal(line.request_id, ctx.requestId)
    assert.equal(line.global_request_id, ctx.globalRequestId)
    assert.equal(line.project_id, 'p1')
    assert.equal(line.password, '[Redacted]')
  })
})
