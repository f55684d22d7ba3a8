import { strict as assert } from 'node:assert'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { PowerState } from '../../driver/power-state.js'
import { powerStateOfRunState } from './guest-record.js'
import { ImageCache } from './image-cache.js'

describe('the image cache', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-cache-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('downloads an image once, to the sha1 of its id, even when asked twice at once', async () => {
    const fetched: string[] = []
    const cache = new ImageCache(path.join(dir, '_base'), async (id, file) => {
      fetched.push(id)
      await sleep(20)
      await writeFile(file, `data of ${id}`)
    })
    const [a, b] = await Promise.all([cache.ensure('img-1'), cache.ensure('img-1')])
    assert.equal(a, b)
    assert.equal(a, cache.pathOf('img-1'))
    assert.match(path.basename(a), /^[0-9a-f]{40}$/)
    assert.equal(readFileSync(a, 'utf8'), 'data of img-1')
    assert.equal(await cache.ensure('img-1'), a)
    assert.deepEqual(fetched, ['img-1'])
  })

  it('leaves nothing behind when a download fails, and tries again next time', async () => {
    let fail = true
    const cache = new ImageCache(path.join(dir, '_fail'), async (_id, file) => {
      await writeFile(file, 'partial')
      if (fail) throw new Error('checksum mismatch')
    })
    await assert.rejects(cache.ensure('img-2'), /checksum mismatch/)
    assert.deepEqual(readdirSync(path.join(dir, '_fail')), [])
    fail = false
    assert.equal(readFileSync(await cache.ensure('img-2'), 'utf8'), 'partial')
  })

  it('a hit touches the file (its last use); an image asked for during an aging pass is busy for that pass', async () => {
    const cache = new ImageCache(path.join(dir, '_aging'), async (id, file) => writeFile(file, id))
    const file = await cache.ensure('img-3')
    const past = new Date('2020-01-01T00:00:00Z')
    utimesSync(file, past, past)
    await cache.ensure('img-3')
    assert.ok(statSync(file).mtimeMs > past.getTime())
    const seen = await cache.aging(async (busy) => {
      const before = busy(file)
      await cache.ensure('img-3')
      return [before, busy(file), busy(cache.pathOf('img-4'))]
    })
    assert.deepEqual(seen, [false, true, false])
  })
})

describe("QEMU's run states as Nova's power states", () => {
  it('maps running, paused, shutdown and the error states', () => {
    assert.equal(powerStateOfRunState('running'), PowerState.RUNNING)
    assert.equal(powerStateOfRunState('paused'), PowerState.PAUSED)
    assert.equal(powerStateOfRunState('inmigrate'), PowerState.PAUSED)
    assert.equal(powerStateOfRunState('shutdown'), PowerState.SHUTDOWN)
    assert.equal(powerStateOfRunState('guest-panicked'), PowerState.CRASHED)
    assert.equal(powerStateOfRunState('internal-error'), PowerState.CRASHED)
    assert.equal(powerStateOfRunState('suspended'), PowerState.SUSPENDED)
  })
})
