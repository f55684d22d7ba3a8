import { strict as assert } from 'node:assert'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, beforeEach, describe, it } from 'node:test'
import { ageImageCache, cachedFilesInUse, qcow2BackingFile } from './image-cache-manager.js'

const DAY_S = 86400

describe('the image cache manager (Nova image cache aging)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'image-cache-manager-'))
  after(() => rmSync(root, { recursive: true, force: true }))
  let instances: string
  let cache: string
  const base = (name: string) => path.join(cache, name.repeat(40))
  const now = new Date('2026-12-01T12:00:00Z')
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_S * 1000)

  /** A cached file whose last use was `days` ago. */
  const cached = (name: string, days: number): string => {
    const file = base(name)
    writeFileSync(file, `image ${name}`)
    utimesSync(file, daysAgo(days), daysAgo(days))
    return file
  }
  /** An instance folder with a qcow2 overlay on `backing` and a record naming `kernel`/`ramdisk`. */
  const guest = (uuid: string, backing: string, kernel?: string, ramdisk?: string): void => {
    const dir = path.join(instances, uuid)
    mkdirSync(dir)
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', backing, '-F', 'raw', `${dir}/disk`, '1M'])
    const record = {
      uuid,
      name: uuid,
      kernel: kernel && { kernel, initrd: ramdisk, cmdline: 'console=ttyS0' },
    }
    writeFileSync(path.join(dir, 'guest.json'), JSON.stringify(record))
  }

  beforeEach(() => {
    const run = mkdtempSync(path.join(root, 'run-'))
    instances = path.join(run, 'instances')
    cache = path.join(instances, '_base')
    mkdirSync(cache, { recursive: true })
  })

  it("reads a qcow2 overlay's backing file from its header; other files have none", async () => {
    const file = cached('a', 0)
    guest('g1', file)
    assert.equal(await qcow2BackingFile(path.join(instances, 'g1', 'disk')), file)
    assert.equal(await qcow2BackingFile(file), undefined)
    assert.equal(await qcow2BackingFile(path.join(instances, 'nothing')), undefined)
  })

  it('counts the root disks, kernels and ramdisks of every instance folder, whether its guest runs or not', async () => {
    const [a, b, c, d] = [cached('a', 5), cached('b', 5), cached('c', 5), cached('d', 5)]
    guest('g1', a, b, c)
    guest('g2', a)
    assert.deepEqual([...(await cachedFilesInUse(instances, cache))].sort(), [a, b, c].sort())
    assert.ok(existsSync(d))
  })

  it('keeps and touches the images in use, removes unused ones past the age, keeps younger ones', async () => {
    const used = cached('a', 5)
    const kernel = cached('b', 5)
    cached('c', 2) // unused for two days
    cached('d', 0.5) // unused for half a day
    writeFileSync(path.join(cache, 'notes.txt'), 'not a cached image')
    guest('g1', used, kernel)
    const report = await ageImageCache({
      instancesPath: instances,
      cacheDir: cache,
      settings: { removeUnusedBaseImages: true, minimumAgeS: DAY_S },
      now,
    })
    assert.deepEqual(report, {
      inUse: ['a'.repeat(40), 'b'.repeat(40)],
      removed: ['c'.repeat(40)],
      kept: ['d'.repeat(40)],
    })
    assert.ok(!existsSync(base('c')))
    assert.ok(existsSync(base('d')) && existsSync(path.join(cache, 'notes.txt')))
    assert.equal(statSync(used).mtimeMs, now.getTime(), 'a use is its last use')
    assert.equal(statSync(kernel).mtimeMs, now.getTime())
  })

  it('removes an image once its last guest is gone and its age has passed', async () => {
    const file = cached('a', 5)
    guest('g1', file)
    const settings = { removeUnusedBaseImages: true, minimumAgeS: DAY_S }
    await ageImageCache({ instancesPath: instances, cacheDir: cache, settings, now })
    rmSync(path.join(instances, 'g1'), { recursive: true })
    const young = await ageImageCache({ instancesPath: instances, cacheDir: cache, settings, now })
    assert.deepEqual(young.kept, ['a'.repeat(40)], 'used a moment ago: kept')
    const later = new Date(now.getTime() + 2 * DAY_S * 1000)
    const old = await ageImageCache({ instancesPath: instances, cacheDir: cache, settings, now: later })
    assert.deepEqual(old.removed, ['a'.repeat(40)])
    assert.ok(!existsSync(file))
  })

  it('with remove_unused_base_images false, or a busy file, nothing is removed', async () => {
    cached('a', 5)
    cached('b', 5)
    const keep = await ageImageCache({
      instancesPath: instances,
      cacheDir: cache,
      settings: { removeUnusedBaseImages: false, minimumAgeS: DAY_S },
      now,
    })
    assert.deepEqual(keep.removed, [])
    const busy = await ageImageCache({
      instancesPath: instances,
      cacheDir: cache,
      settings: { removeUnusedBaseImages: true, minimumAgeS: DAY_S },
      busy: (file) => file === base('a'),
      now,
    })
    assert.deepEqual(busy, { inUse: [], removed: ['b'.repeat(40)], kept: ['a'.repeat(40)] })
  })
})
