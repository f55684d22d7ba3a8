import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { QmpClient, QmpClosed, QmpCommandError, QmpTimeout, type QmpEvent } from './qmp-client.js'

const GREETING = {
  QMP: {
    version: { qemu: { micro: 22, minor: 2, major: 7 }, package: 'Debian 1:7.2+dfsg-7' },
    capabilities: ['oob'],
  },
}
const event = (name: string, data?: object) =>
  JSON.stringify({ timestamp: { seconds: 1, microseconds: 2 }, event: name, ...(data ? { data } : {}) })

/** A fake QEMU monitor: greeting, capabilities negotiation, and a few commands answered as QEMU 7.2 does. */
function fakeQmpServer(socketPath: string, seen: string[]): Promise<Server> {
  const server = createServer((socket: Socket) => {
    let negotiated = false
    let buffer = ''
    socket.write(`${JSON.stringify(GREETING)}\r\n`)
    socket.on('data', (chunk) => {
      buffer += chunk.toString()
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buffer.slice(0, nl)) as { execute: string; id?: string; arguments?: object }
        buffer = buffer.slice(nl + 1)
        seen.push(msg.execute)
        const reply = (body: object) => socket.write(`${JSON.stringify({ ...body, id: msg.id })}\r\n`)
        if (msg.execute === 'qmp_capabilities') {
          negotiated = true
          reply({ return: {} })
        } else if (!negotiated) {
          reply({ error: { class: 'CommandNotFound', desc: 'Expecting capabilities negotiation' } })
        } else if (msg.execute === 'stop') {
          socket.write(`${event('STOP')}\r\n`)
          reply({ return: {} })
        } else if (msg.execute === 'query-status') {
          reply({ return: { status: 'running', singlestep: false, running: true } })
        } else if (msg.execute === 'slow') {
          setTimeout(() => reply({ return: { slow: true } }), 80)
        } else if (msg.execute === 'system_powerdown') {
          socket.write(`${event('POWERDOWN')}\r\n`)
          reply({ return: {} })
          setTimeout(
            () => socket.write(`${event('SHUTDOWN', { guest: true, reason: 'guest-shutdown' })}\n`),
            30,
          )
        } else if (msg.execute === 'quit') {
          socket.end()
        } else if (msg.execute === 'hang') {
          // never answers
        } else
          reply({
            error: { class: 'CommandNotFound', desc: `The command ${msg.execute} has not been found` },
          })
      }
    })
  })
  return new Promise((resolve) => server.listen(socketPath, () => resolve(server)))
}

describe('the QMP client', () => {
  let dir: string
  let server: Server
  const seen: string[] = []
  let socketPath: string

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qmp-'))
    socketPath = path.join(dir, 'qmp')
    server = await fakeQmpServer(socketPath, seen)
  })
  after(() => {
    server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads the greeting and negotiates capabilities before any command', async () => {
    seen.length = 0
    const qmp = await QmpClient.connect(socketPath)
    assert.equal(qmp.greeting.QMP.version.qemu.major, 7)
    assert.deepEqual(seen, ['qmp_capabilities'])
    assert.deepEqual(await qmp.execute('query-status'), {
      status: 'running',
      singlestep: false,
      running: true,
    })
    qmp.close()
  })

  it('routes events interleaved with replies to listeners, and matches replies by id', async () => {
    const qmp = await QmpClient.connect(socketPath)
    const events: QmpEvent[] = []
    qmp.on('event', (e) => events.push(e))
    const [slow, stop, status] = await Promise.all([
      qmp.execute('slow'),
      qmp.execute('stop'),
      qmp.execute<{ status: string }>('query-status'),
    ])
    assert.deepEqual(slow, { slow: true })
    assert.deepEqual(stop, {})
    assert.equal(status.status, 'running')
    assert.deepEqual(
      events.map((e) => e.event),
      ['STOP'],
    )
    qmp.close()
  })

  it('waits for an event that follows a command', async () => {
    const qmp = await QmpClient.connect(socketPath)
    const shutdown = qmp.waitForEvent('SHUTDOWN', {
      timeoutMs: 2000,
      predicate: (e) => e.data?.guest === true,
    })
    await qmp.execute('system_powerdown')
    assert.equal((await shutdown).data?.reason, 'guest-shutdown')
    await assert.rejects(qmp.waitForEvent('RESET', { timeoutMs: 30 }), QmpTimeout)
    qmp.close()
  })

  it('rejects with QmpCommandError on an error reply and QmpTimeout when no reply comes', async () => {
    const qmp = await QmpClient.connect(socketPath)
    await assert.rejects(qmp.execute('nope'), (e: unknown) => {
      assert.ok(e instanceof QmpCommandError)
      assert.equal(e.errorClass, 'CommandNotFound')
      return true
    })
    await assert.rejects(qmp.execute('hang', undefined, { timeoutMs: 50 }), QmpTimeout)
    // The connection is still usable after a timeout.
    assert.equal((await qmp.execute<{ status: string }>('query-status')).status, 'running')
    qmp.close()
  })

  it('quit resolves when QEMU closes the socket; later commands and waits reject with QmpClosed', async () => {
    const qmp = await QmpClient.connect(socketPath)
    const pending = qmp.execute('hang')
    const waiting = qmp.waitForEvent('SHUTDOWN', { timeoutMs: 5000 })
    await qmp.execute('quit')
    await qmp.closed
    await assert.rejects(pending, QmpClosed)
    await assert.rejects(waiting, QmpClosed)
    await assert.rejects(qmp.execute('query-status'), QmpClosed)
    assert.ok(qmp.isClosed)
  })

  it('fails to connect to a missing socket, and times out on a silent one', async () => {
    await assert.rejects(QmpClient.connect(path.join(dir, 'missing')), /ENOENT/)
    const silentPath = path.join(dir, 'silent')
    const silent = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(silentPath, resolve))
    await assert.rejects(QmpClient.connect(silentPath, { timeoutMs: 50 }), QmpTimeout)
    silent.close()
  })
})
