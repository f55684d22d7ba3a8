import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import { createImageApp } from '../../src/services/image/app.js'
import { FileImageStore } from '../../src/services/image/file-store.js'
import { createImageRecords } from '../../src/services/image/store/image-records.js'
import { OWNER } from '../support/image-server.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('image lists (sort, filters, pages) and project limits', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-image-list-'))
  let db: Database<unknown>
  let app: ReturnType<typeof createImageApp>
  before(async () => {
    db = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
    await syncSchema(db, 'api')
    const store = new FileImageStore(path.join(dir, 'images'))
    app = createImageApp(
      {
        images: createImageRecords(db),
        store,
        staging: new FileImageStore(path.join(dir, 'staging')),
        limits: { maxImageBytes: 1 << 20, imageCountPerProject: 6, bytesPerProject: 3000 },
      },
      {
        logger: silentLogger(),
        publicUrl: 'http://image.test',
        auth: {
          checker: { verify: (t) => (t === 'T' ? OWNER : 'malformed') },
          identityUri: 'http://identity.test/v3',
        },
      },
    )
  })
  after(async () => {
    await app.close()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, type?: string) => {
    const res = await app.inject({
      method,
      url,
      headers: { 'x-auth-token': 'T', ...(type === undefined ? {} : { 'content-type': type }) },
      ...(body === undefined ? {} : { payload: body as string }),
    })
    return { status: res.statusCode, body: res.body === '' ? {} : (res.json() as Obj) }
  }

  it('sorts, pages with markers, and filters by format, size and custom properties', async () => {
    for (const [name, format, bytes, distro] of [
      ['delta', 'raw', 100, 'debian'],
      ['alpha', 'qcow2', 0, 'ubuntu'],
      ['charlie', 'raw', 500, 'debian'],
      ['bravo', 'iso', 0, 'debian'],
    ] as const) {
      const image = (
        await call('POST', '/v2/images', {
          name,
          disk_format: format,
          container_format: 'bare',
          os_distro: distro,
        })
      ).body
      if (bytes > 0)
        assert.equal(
          (await call('PUT', `/v2/images/${image.id}/file`, Buffer.alloc(bytes), 'application/octet-stream'))
            .status,
          204,
        )
    }
    const names = (r: { body: Obj }) => (r.body.images as Obj[]).map((i) => i.name)
    assert.deepEqual(names(await call('GET', '/v2/images?sort=name:asc')), [
      'alpha',
      'bravo',
      'charlie',
      'delta',
    ])
    assert.deepEqual(names(await call('GET', '/v2/images?sort_key=name&sort_dir=desc')), [
      'delta',
      'charlie',
      'bravo',
      'alpha',
    ])
    const page1 = await call('GET', '/v2/images?sort=name:asc&limit=2')
    assert.deepEqual(names(page1), ['alpha', 'bravo'])
    const next = String(page1.body.next)
    assert.match(next, /marker=/)
    assert.deepEqual(names(await call('GET', next)), ['charlie', 'delta'])
    assert.deepEqual(names(await call('GET', '/v2/images?disk_format=raw&sort=name:asc')), [
      'charlie',
      'delta',
    ])
    assert.deepEqual(names(await call('GET', '/v2/images?size_min=200')), ['charlie'])
    assert.deepEqual(names(await call('GET', '/v2/images?size_max=200&disk_format=raw')), ['delta'])
    assert.deepEqual(names(await call('GET', '/v2/images?os_distro=ubuntu')), ['alpha'])
    assert.equal((await call('GET', '/v2/images?sort=colour:asc')).status, 400)
    assert.equal((await call('GET', '/v2/images?size_min=-1')).status, 400)
  })

  it('refuses data over the project byte limit and images over the count limit with 413, writing nothing', async () => {
    const image = (
      await call('POST', '/v2/images', { name: 'too-big', disk_format: 'raw', container_format: 'bare' })
    ).body
    assert.equal(
      (await call('PUT', `/v2/images/${image.id}/file`, Buffer.alloc(3000), 'application/octet-stream'))
        .status,
      413,
    )
    assert.equal((await call('GET', `/v2/images/${image.id}`)).body.status, 'queued')
    assert.equal((await call('POST', '/v2/images', { name: 'sixth' })).status, 201)
    const refused = await call('POST', '/v2/images', { name: 'seventh' })
    assert.equal(refused.status, 413)
    assert.equal((await call('GET', '/v2/images?name=seventh')).body.images.length, 0)
  })
})
