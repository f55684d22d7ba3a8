import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { TransportUrlInvalid } from '../common/errors/index.js'
import { parseTransportUrl, redactTransportUrl } from './transport-url.js'

describe('parseTransportUrl', () => {
  it('reads memory URLs', () => {
    assert.deepEqual(parseTransportUrl('memory://'), { transport: 'memory', name: '' })
  })

  it('reads several rabbit brokers, encoded credentials, vhost and options', () => {
    const url = parseTransportUrl('rabbit://nova:p%40ss@ctl1:5673,nova:p%40ss@ctl2/cloud?ssl=1')
    assert.equal(url.transport, 'rabbit')
    if (url.transport !== 'rabbit') return
    assert.deepEqual(url.hosts, [
      { hostname: 'ctl1', port: 5673, username: 'nova', password: 'p@ss' },
      { hostname: 'ctl2', port: 5672, username: 'nova', password: 'p@ss' },
    ])
    assert.equal(url.vhost, 'cloud')
    assert.deepEqual(url.query, { ssl: '1' })
  })

  it('defaults the vhost to / and credentials to guest', () => {
    const url = parseTransportUrl('rabbit://localhost')
    assert.ok(url.transport === 'rabbit')
    assert.equal(url.vhost, '/')
    assert.equal(url.hosts[0]?.username, 'guest')
  })

  it('refuses other transports and malformed URLs without leaking the password', () => {
    assert.throws(() => parseTransportUrl('kafka://x'), TransportUrlInvalid)
    assert.throws(() => parseTransportUrl('not a url'), TransportUrlInvalid)
    assert.throws(
      () => parseTransportUrl('rabbit://u:secret@host:99999/'),
      (e: Error) => e instanceof TransportUrlInvalid && !e.message.includes('secret'),
    )
  })

  it('redacts every password', () => {
    assert.equal(redactTransportUrl('rabbit://a:x@h1,b:y@h2/'), 'rabbit://a:****@h1,b:****@h2/')
  })
})
