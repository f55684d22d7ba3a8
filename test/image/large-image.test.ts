import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { getStream, putStream, startImageServer } from '../support/image-server.js'

const GiB = 2 ** 30
const CHUNK = Buffer.alloc(1 << 20, 0x5a)

/** 1 GiB from a fixed 1 MiB chunk, produced as it is read. */
function gibibyte(): Readable {
  let sent = 0
  return new Readable({
    read() {
      if (sent >= GiB) this.push(null)
      else {
        sent += CHUNK.length
        this.push(CHUNK)
      }
    },
  })
}

describe('a 1 GiB image', () => {
  let server: Awaited<ReturnType<typeof startImageServer>>
  before(async () => {
    server = await startImageServer()
  })
  after(() => server.close())

  it('uploads and downloads with memory staying flat (RSS growth under 100 MiB)', async () => {
    global.gc?.()
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
    try {
      const created = await fetch(`${server.url}/v2/images`, {
        method: 'POST',
        headers: { 'x-auth-token': 'T', 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'big', disk_format: 'raw', container_format: 'bare' }),
      })
      const { id } = (await created.json()) as { id: string }
      assert.equal(await putStream(`${server.url}/v2/images/${id}/file`, gibibyte()), 204)
      const shown = (await (
        await fetch(`${server.url}/v2/images/${id}`, { headers: { 'x-auth-token': 'T' } })
      ).json()) as { size: number; os_hash_value: string; status: string }
      assert.equal(shown.status, 'active')
      assert.equal(shown.size, GiB)
      const hash = createHash('sha512')
      const bytes = await getStream(`${server.url}/v2/images/${id}/file`, (c) => hash.update(c))
      assert.equal(bytes, GiB)
      assert.equal(hash.digest('hex'), shown.os_hash_value)
    } finally {
      clearInterval(sampler)
    }
    const growthMiB = (peak - baseline) / 2 ** 20
    assert.ok(growthMiB < 100, `RSS grew by ${growthMiB.toFixed(1)} MiB`)
  })
})
