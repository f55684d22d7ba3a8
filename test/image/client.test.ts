import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { ImageChecksumMismatch, ImageNotFound } from '../../src/common/errors/index.js'
import { ImageClient } from '../../src/services/image/client.js'
import { startImageServer } from '../support/image-server.js'

describe('ImageClient (what compute uses)', () => {
  let server: Awaited<ReturnType<typeof startImageServer>>
  let client: ImageClient
  before(async () => {
    server = await startImageServer()
    client = new ImageClient({ baseUrl: server.url, token: () => 'T' })
  })
  after(() => server.close())

  it('uploads a snapshot, then downloads it into a cache file with its hashes checked', async () => {
    const data = randomBytes(300_000)
    const image = await client.upload(
      { name: 'snap', disk_format: 'raw', container_format: 'bare', image_type: 'snapshot' },
      Readable.from([data]),
    )
    assert.equal(image.status, 'active')
    assert.equal(image.image_type, 'snapshot')
    const file = path.join(server.dir, 'cache', image.id)
    const got = await client.downloadTo(image.id, file)
    assert.equal(got.size, data.length)
    assert.ok(readFileSync(file).equals(data))
  })

  it('discards a download whose data does not match the image hash, leaving no file', async () => {
    const image = await client.upload(
      { name: 'tampered', disk_format: 'raw', container_format: 'bare' },
      Readable.from([Buffer.from('original data')]),
    )
    writeFileSync(path.join(server.dir, 'images', image.id), 'tampered data')
    const file = path.join(server.dir, 'cache2', image.id)
    await assert.rejects(client.downloadTo(image.id, file), ImageChecksumMismatch)
    assert.equal(existsSync(file), false)
    assert.deepEqual(readdirSync(path.dirname(file)), [], 'no partial file either')
  })

  it('says ImageNotFound for an unknown image', async () => {
    await assert.rejects(client.show('00000000-0000-0000-0000-000000000000'), ImageNotFound)
  })
})
