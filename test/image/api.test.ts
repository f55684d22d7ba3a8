import { strict as assert } from 'node:assert'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import type { TokenPayload } from '../../src/services/identity/client.js'
import { createImageApp } from '../../src/services/image/app.js'
import { FileImageStore } from '../../src/services/image/file-store.js'
import { createImageRecords } from '../../src/services/image/store/image-records.js'
import { persona } from '../support/personas.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

// Tokens are checked by identity's TokenVerifier in the service; here a table of personas stands in for it.
const TOKENS: Record<string, TokenPayload> = {
  A: persona('proj-a', ['member']),
  B: persona('proj-b', ['member']),
  ADMIN: persona('admin', ['admin']),
}

describe('image API (Glance v2)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-image-'))
  const dataDir = path.join(dir, 'images')
  let db: Database<unknown>
  let app: ReturnType<typeof createImageApp>

  before(async () => {
    db = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
    await syncSchema(db, 'api')
    app = createImageApp(
      {
        images: createImageRecords(db),
        store: new FileImageStore(dataDir),
        staging: new FileImageStore(path.join(dataDir, 'staging')),
        limits: { maxImageBytes: 1 << 30, imageCountPerProject: 100, bytesPerProject: 1 << 30 },
      },
      {
        logger: silentLogger(),
        publicUrl: 'http://image.test:9292',
        auth: {
          checker: { verify: (t) => TOKENS[t] ?? 'malformed' },
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

  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    token: string,
    body?: unknown,
    contentType?: string,
  ) => {
    const res = await app.inject({
      method,
      url,
      headers: {
        'x-auth-token': token,
        ...(contentType === undefined ? {} : { 'content-type': contentType }),
      },
      ...(body === undefined ? {} : { payload: body as string }),
    })
    return { status: res.statusCode, body: res.body === '' ? {} : (res.json() as Obj), raw: res }
  }
  const create = async (token: string, fields: Obj) => (await call('POST', '/v2/images', token, fields)).body
  const patch = (id: string, token: string, ops: unknown[]) =>
    call(
      'PATCH',
      `/v2/images/${id}`,
      token,
      JSON.stringify(ops),
      'application/openstack-images-v2.1-json-patch',
    )

  it('keeps private and shared images to their project until shared and accepted; other projects get 404', async () => {
    const image = await create('A', {
      name: 'a-private',
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'private',
    })
    assert.equal((await call('GET', `/v2/images/${image.id}`, 'B')).status, 404)
    assert.ok(!((await call('GET', '/v2/images', 'B')).body.images as Obj[]).some((i) => i.id === image.id))

    const shared = await create('A', { name: 'a-shared', disk_format: 'raw', container_format: 'bare' })
    assert.equal(shared.visibility, 'shared')
    assert.equal((await call('GET', `/v2/images/${shared.id}`, 'B')).status, 404)
    assert.equal(
      (await call('POST', `/v2/images/${shared.id}/members`, 'A', { member: 'proj-b' })).status,
      200,
    )
    assert.equal((await call('GET', `/v2/images/${shared.id}`, 'B')).status, 200, 'a member sees it')
    assert.ok(
      !((await call('GET', '/v2/images', 'B')).body.images as Obj[]).some((i) => i.id === shared.id),
      'not listed until accepted',
    )
    assert.equal(
      (await call('PUT', `/v2/images/${shared.id}/members/proj-b`, 'A', { status: 'accepted' })).status,
      403,
      'only the member accepts',
    )
    assert.equal(
      (await call('PUT', `/v2/images/${shared.id}/members/proj-b`, 'B', { status: 'accepted' })).status,
      200,
    )
    assert.ok(((await call('GET', '/v2/images', 'B')).body.images as Obj[]).some((i) => i.id === shared.id))
    assert.equal(
      (await call('DELETE', `/v2/images/${shared.id}`, 'B')).status,
      403,
      'a member may not delete',
    )
  })

  it('lists community images only when asked, and lets no member publicize', async () => {
    const image = await create('A', { name: 'a-community', visibility: 'community' })
    assert.ok(!((await call('GET', '/v2/images', 'B')).body.images as Obj[]).some((i) => i.id === image.id))
    assert.ok(
      ((await call('GET', '/v2/images?visibility=community', 'B')).body.images as Obj[]).some(
        (i) => i.id === image.id,
      ),
    )
    assert.equal(
      (await patch(image.id, 'A', [{ op: 'replace', path: '/visibility', value: 'public' }])).status,
      403,
    )
    assert.equal((await call('POST', '/v2/images', 'A', { name: 'x', visibility: 'public' })).status, 403)
    assert.equal(
      (await patch(image.id, 'ADMIN', [{ op: 'replace', path: '/visibility', value: 'public' }])).status,
      200,
    )
  })

  it('uploads and downloads data with md5 and sha512, honours Range, and refuses a second upload', async () => {
    const image = await create('A', { name: 'data', disk_format: 'raw', container_format: 'bare' })
    const data = Buffer.from('0123456789'.repeat(1000))
    assert.equal(
      (await call('PUT', `/v2/images/${image.id}/file`, 'A', data, 'application/octet-stream')).status,
      204,
    )
    const shown = (await call('GET', `/v2/images/${image.id}`, 'A')).body
    assert.equal(shown.status, 'active')
    assert.equal(shown.size, data.length)
    assert.equal(shown.virtual_size, data.length)
    assert.equal(shown.os_hash_algo, 'sha512')
    const file = await app.inject({
      method: 'GET',
      url: `/v2/images/${image.id}/file`,
      headers: { 'x-auth-token': 'A' },
    })
    assert.equal(file.rawPayload.equals(data), true)
    assert.equal(file.headers['content-md5'], shown.checksum)
    const part = await app.inject({
      method: 'GET',
      url: `/v2/images/${image.id}/file`,
      headers: { 'x-auth-token': 'A', range: 'bytes=10-19' },
    })
    assert.equal(part.statusCode, 206)
    assert.equal(part.body, '0123456789')
    assert.equal(
      (await call('PUT', `/v2/images/${image.id}/file`, 'A', data, 'application/octet-stream')).status,
      409,
    )
  })

  it('leaves no active image and no stray file when an upload is cut off half-way', async () => {
    const image = await create('A', { name: 'cut', disk_format: 'raw', container_format: 'bare' })
    let sent = 0
    const broken = new Readable({
      read() {
        if (sent++ < 3) this.push(Buffer.alloc(64 * 1024, 1))
        else this.destroy(new Error('client went away'))
      },
    })
    // The client side of inject fails with the stream; the service must clean up on its side.
    const res = await app
      .inject({
        method: 'PUT',
        url: `/v2/images/${image.id}/file`,
        headers: { 'x-auth-token': 'A', 'content-type': 'application/octet-stream' },
        payload: broken,
      })
      .catch(() => undefined)
    assert.notEqual(res?.statusCode, 204)
    let status = ''
    for (let i = 0; i < 100 && status !== 'queued'; i++) {
      status = (await call('GET', `/v2/images/${image.id}`, 'A')).body.status
      if (status !== 'queued') await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(status, 'queued')
    assert.deepEqual(
      readdirSync(dataDir).filter((f) => f.includes(image.id)),
      [],
    )
  })

  it('refuses a qcow2 with a backing file, and data that is not the declared qcow2', async () => {
    const header = Buffer.alloc(512)
    header.writeUInt32BE(0x514649fb, 0)
    header.writeUInt32BE(3, 4)
    header.writeBigUInt64BE(512n, 8) // backing file offset
    header.writeBigUInt64BE(1n << 30n, 24)
    const backed = await create('A', { name: 'backed', disk_format: 'qcow2', container_format: 'bare' })
    assert.equal(
      (await call('PUT', `/v2/images/${backed.id}/file`, 'A', header, 'application/octet-stream')).status,
      400,
    )
    assert.equal((await call('GET', `/v2/images/${backed.id}`, 'A')).body.status, 'queued')
    const fake = await create('A', { name: 'fake', disk_format: 'qcow2', container_format: 'bare' })
    assert.equal(
      (await call('PUT', `/v2/images/${fake.id}/file`, 'A', Buffer.alloc(512), 'application/octet-stream'))
        .status,
      400,
    )
    header.writeBigUInt64BE(0n, 8)
    const good = await create('A', { name: 'good', disk_format: 'qcow2', container_format: 'bare' })
    assert.equal(
      (await call('PUT', `/v2/images/${good.id}/file`, 'A', header, 'application/octet-stream')).status,
      204,
    )
    assert.equal((await call('GET', `/v2/images/${good.id}`, 'A')).body.virtual_size, 1 << 30)
  })

  it('answers bad patches with Glance codes: read-only 403, wrong media type 415, protected delete 403', async () => {
    const image = await create('A', { name: 'p' })
    assert.equal(
      (await patch(image.id, 'A', [{ op: 'replace', path: '/status', value: 'active' }])).status,
      403,
    )
    assert.equal(
      (await call('PATCH', `/v2/images/${image.id}`, 'A', JSON.stringify([]), 'application/json')).status,
      415,
    )
    assert.equal(
      (
        await patch(image.id, 'A', [
          { op: 'add', path: '/k', value: 'v' },
          { op: 'replace', path: '/protected', value: true },
        ])
      ).status,
      200,
    )
    const shown = (await call('GET', `/v2/images/${image.id}`, 'A')).body
    assert.equal(shown.k, 'v')
    assert.equal((await call('DELETE', `/v2/images/${image.id}`, 'A')).status, 403)
    assert.equal((await call('GET', `/v2/images/${image.id}`, 'A')).status, 200)
    assert.equal((await call('GET', '/v2/images', 'nobody')).status, 401)
  })
  it('imports staged data with glance-direct, and says web-download is not offered', async () => {
    const info = (await call('GET', '/v2/info/import', 'A')).body
    assert.deepEqual(info['import-methods'].value, ['glance-direct'])
    assert.equal(((await call('GET', '/v2/info/stores', 'A')).body.stores as Obj[])[0]?.id, 'file')
    const image = await create('A', { name: 'imported', disk_format: 'raw', container_format: 'bare' })
    const data = Buffer.from('staged bytes '.repeat(100))
    assert.equal(
      (await call('PUT', `/v2/images/${image.id}/stage`, 'A', data, 'application/octet-stream')).status,
      204,
    )
    assert.equal((await call('GET', `/v2/images/${image.id}`, 'A')).body.status, 'uploading')
    assert.equal(
      (
        await call('POST', `/v2/images/${image.id}/import`, 'A', {
          method: { name: 'web-download', uri: 'http://x/' },
        })
      ).status,
      400,
    )
    assert.equal(
      (await call('POST', `/v2/images/${image.id}/import`, 'A', { method: { name: 'glance-direct' } }))
        .status,
      202,
    )
    const shown = (await call('GET', `/v2/images/${image.id}`, 'A')).body
    assert.equal(shown.status, 'active')
    assert.equal(shown.size, data.length)
    const file = await app.inject({
      method: 'GET',
      url: `/v2/images/${image.id}/file`,
      headers: { 'x-auth-token': 'A' },
    })
    assert.ok(file.rawPayload.equals(data))
    assert.deepEqual(readdirSync(path.join(dataDir, 'staging')), [], 'the staged copy is gone')
  })
})
