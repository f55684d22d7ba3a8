import { strict as assert } from 'node:assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { silentLogger } from '../../src/common/logger.js'
import { openDatabase, syncSchema, type Database } from '../../src/db/index.js'
import { PolicyEnforcer } from '../../src/policy/index.js'
import { createComputeApiApp } from '../../src/services/compute-api/app.js'
import { COMPUTE_POLICIES } from '../../src/services/compute-api/policies.js'
import { FlavorStore } from '../../src/services/compute-api/store/flavors.js'
import { KeyPairStore } from '../../src/services/compute-api/store/keypairs.js'
import { ImageClient } from '../../src/services/image/client.js'
import { createImageApp } from '../../src/services/image/app.js'
import { FileImageStore } from '../../src/services/image/file-store.js'
import { createImageRecords } from '../../src/services/image/store/image-records.js'
import { TOKENS } from './support.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const checker = { verify: (token: string) => TOKENS[token] ?? ('malformed' as const) }

describe('[images-proxy] GET/DELETE /images and image metadata, forwarded to the image service', () => {
  let dir: string
  let db: Database<unknown>
  let image: FastifyInstance
  let api: FastifyInstance
  let imageUrl: string
  let active: string
  let queued: string

  const glance = async (method: string, url: string, body?: unknown, token = 'MEMBER_A') => {
    const r = await fetch(`${imageUrl}${url}`, {
      method,
      headers: {
        'x-auth-token': token,
        ...(body === undefined
          ? {}
          : typeof body === 'string'
            ? { 'content-type': 'application/octet-stream' }
            : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
    return { status: r.status, body: r.status === 204 ? {} : ((await r.json()) as Obj) }
  }
  const call = async (method: string, url: string, body?: unknown, token = 'MEMBER_A', version?: string) => {
    const r = await api.inject({
      method: method as 'GET',
      url,
      headers: {
        host: 'compute.test:8774',
        'x-auth-token': token,
        ...(version === undefined ? {} : { 'openstack-api-version': `compute ${version}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    })
    return { status: r.statusCode, body: (r.body === '' ? {} : JSON.parse(r.body)) as Obj }
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nova-images-proxy-'))
    db = await openDatabase(`sqlite:///${path.join(dir, 'api.sqlite')}`)
    await syncSchema(db, 'api')
    image = createImageApp(
      {
        images: createImageRecords(db),
        store: new FileImageStore(path.join(dir, 'images')),
        staging: new FileImageStore(path.join(dir, 'images', 'staging')),
        limits: { maxImageBytes: 2 ** 30, imageCountPerProject: 1000, bytesPerProject: 2 ** 40 },
      },
      {
        logger: silentLogger(),
        publicUrl: 'http://127.0.0.1',
        auth: { checker, identityUri: 'http://id/v3' },
      },
    )
    imageUrl = await image.listen({ host: '127.0.0.1', port: 0 })
    api = createComputeApiApp({
      logger: silentLogger(),
      auth: { checker, identityUri: 'http://id/v3' },
      policy: new PolicyEnforcer(COMPUTE_POLICIES),
      deps: {
        flavors: new FlavorStore(db),
        keypairs: new KeyPairStore(db),
        images: {
          client: (token) => new ImageClient({ baseUrl: imageUrl, token: () => token }),
          glanceBase: 'http://glance.test:9292',
          metadataItems: 4,
        },
      },
    })
    const a = await glance('POST', '/v2/images', {
      name: 'cirros',
      disk_format: 'raw',
      container_format: 'bare',
      min_ram: 512,
      min_disk: 1,
      os_distro: 'cirros',
      auto_disk_config: 'true',
    })
    active = a.body.id
    assert.equal((await glance('PUT', `/v2/images/${active}/file`, 'abcdefgh')).status, 204)
    queued = (
      await glance('POST', '/v2/images', {
        name: 'snap',
        disk_format: 'raw',
        container_format: 'bare',
        instance_uuid: '11111111-2222-3333-4444-555555555555',
        image_type: 'snapshot',
      })
    ).body.id
  })
  after(async () => {
    await api.close()
    await image.close()
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('lists images with self, bookmark and alternate links; detail has Nova’s view', async () => {
    const list = await call('GET', '/v2.1/images')
    assert.equal(list.status, 200)
    assert.deepEqual(list.body.images.map((i: Obj) => i.name).sort(), ['cirros', 'snap'])
    const cirros = list.body.images.find((i: Obj) => i.id === active)
    assert.deepEqual(cirros.links, [
      { rel: 'self', href: `http://compute.test:8774/v2.1/images/${active}` },
      { rel: 'bookmark', href: `http://compute.test:8774/images/${active}` },
      {
        rel: 'alternate',
        type: 'application/vnd.openstack.image',
        href: `http://glance.test:9292/images/${active}`,
      },
    ])
    const detail = await call('GET', '/v2.1/images/detail')
    const d = detail.body.images.find((i: Obj) => i.id === active)
    assert.deepEqual(Object.keys(d).sort(), [
      'OS-DCF:diskConfig',
      'OS-EXT-IMG-SIZE:size',
      'created',
      'id',
      'links',
      'metadata',
      'minDisk',
      'minRam',
      'name',
      'progress',
      'status',
      'updated',
    ])
    assert.equal(d.status, 'ACTIVE')
    assert.equal(d.progress, 100)
    assert.equal(d.minRam, 512)
    assert.equal(d.minDisk, 1)
    assert.equal(d['OS-EXT-IMG-SIZE:size'], 8)
    assert.equal(d['OS-DCF:diskConfig'], 'AUTO')
    assert.deepEqual(d.metadata, { os_distro: 'cirros', auto_disk_config: 'true' })
    assert.match(d.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    const s = detail.body.images.find((i: Obj) => i.id === queued)
    assert.equal(s.status, 'SAVING')
    assert.equal(s.progress, 25)
    assert.equal(s.server.id, '11111111-2222-3333-4444-555555555555')
    assert.equal(
      s.server.links[0].href,
      'http://compute.test:8774/v2.1/servers/11111111-2222-3333-4444-555555555555',
    )
  })

  it('filters by name, status, server, type, minRam, minDisk, changes-since; pages with limit/marker', async () => {
    const names = async (query: string) =>
      (await call('GET', `/v2.1/images/detail?${query}`)).body.images.map((i: Obj) => i.name).sort()
    assert.deepEqual(await names('name=cirros'), ['cirros'])
    assert.deepEqual(await names('status=ACTIVE'), ['cirros'])
    assert.deepEqual(await names('status=SAVING'), [])
    assert.deepEqual(await names('status=queued'), ['snap'])
    assert.deepEqual(await names('server=11111111-2222-3333-4444-555555555555'), ['snap'])
    assert.deepEqual(await names('type=snapshot'), ['snap'])
    assert.deepEqual(await names('minRam=256'), ['cirros'])
    assert.deepEqual(await names('minDisk=2'), [])
    assert.deepEqual(await names('changes-since=2000-01-01T00:00:00Z'), ['cirros', 'snap'])
    assert.deepEqual(await names('changes-since=2999-01-01T00:00:00Z'), [])
    const first = await call('GET', '/v2.1/images?limit=1')
    assert.equal(first.body.images.length, 1)
    assert.match(first.body.images_links[0].href, /\/v2\.1\/images\?limit=1&marker=/)
    const second = await call('GET', `/v2.1/images?limit=1&marker=${first.body.images[0].id}`)
    assert.equal(second.body.images.length, 1)
    assert.notEqual(second.body.images[0].id, first.body.images[0].id)
    assert.equal((await call('GET', '/v2.1/images?marker=nope')).status, 400)
  })

  it('shows an image; 404 itemNotFound for an unknown or invisible one; 404 from 2.36', async () => {
    const show = await call('GET', `/v2.1/images/${active}`)
    assert.equal(show.status, 200)
    assert.equal(show.body.image.name, 'cirros')
    const missing = await call('GET', '/v2.1/images/00000000-0000-0000-0000-000000000000')
    assert.deepEqual(missing.body, { itemNotFound: { code: 404, message: 'Image not found.' } })
    assert.equal((await call('GET', `/v2.1/images/${active}`, undefined, 'MEMBER_B')).status, 404)
    assert.equal((await call('GET', `/v2.1/images/${active}`, undefined, 'MEMBER_A', '2.35')).status, 200)
    assert.equal((await call('GET', `/v2.1/images/${active}`, undefined, 'MEMBER_A', '2.36')).status, 404)
    assert.equal((await call('GET', '/v2.1/images', undefined, 'MEMBER_A', '2.36')).status, 404)
  })

  it('image metadata: index, show, create (merge), update_all (replace), update and delete a key', async () => {
    const url = `/v2.1/images/${active}/metadata`
    assert.deepEqual((await call('GET', url)).body, {
      metadata: { os_distro: 'cirros', auto_disk_config: 'true' },
    })
    assert.deepEqual((await call('GET', `${url}/os_distro`)).body, { meta: { os_distro: 'cirros' } })
    assert.equal((await call('GET', `${url}/nope`)).status, 404)
    const merged = await call('POST', url, { metadata: { hw_disk_bus: 'virtio' } })
    assert.equal(merged.status, 200)
    assert.deepEqual(merged.body.metadata, {
      os_distro: 'cirros',
      auto_disk_config: 'true',
      hw_disk_bus: 'virtio',
    })
    const replaced = await call('PUT', url, { metadata: { a: '1', b: '2' } })
    assert.deepEqual(replaced.body, { metadata: { a: '1', b: '2' } })
    assert.deepEqual((await glance('GET', `/v2/images/${active}`)).body.a, '1')
    assert.equal((await glance('GET', `/v2/images/${active}`)).body.os_distro, undefined)
    assert.deepEqual((await call('PUT', `${url}/a`, { meta: { a: 'x' } })).body, { meta: { a: 'x' } })
    const mismatch = await call('PUT', `${url}/a`, { meta: { b: 'x' } })
    assert.deepEqual(mismatch.body, { badRequest: { code: 400, message: 'Request body and URI mismatch' } })
    assert.equal((await call('PUT', `${url}/a`, { meta: { a: 'x', b: 'y' } })).status, 400)
    assert.equal((await call('DELETE', `${url}/b`)).status, 204)
    assert.deepEqual((await call('GET', url)).body, { metadata: { a: 'x' } })
    const gone = await call('DELETE', `${url}/b`)
    assert.deepEqual(gone.body, { itemNotFound: { code: 404, message: 'Invalid metadata key' } })
    const tooMany = await call('POST', url, { metadata: { c: '1', d: '2', e: '3', f: '4' } })
    assert.deepEqual(tooMany.body, { forbidden: { code: 403, message: 'Image metadata limit exceeded' } })
    assert.equal((await call('POST', url, { metadata: { 'bad/key': '1' } })).status, 400)
    assert.equal((await call('GET', url, undefined, 'MEMBER_A', '2.38')).status, 200)
    assert.equal((await call('GET', url, undefined, 'MEMBER_A', '2.39')).status, 404)
    assert.equal(
      (await call('GET', '/v2.1/images/00000000-0000-0000-0000-000000000000/metadata')).status,
      404,
    )
  })

  it('deletes an image (204); another project cannot (404 as Glance hides it)', async () => {
    assert.equal((await call('DELETE', `/v2.1/images/${queued}`, undefined, 'MEMBER_B')).status, 404)
    assert.equal((await call('DELETE', `/v2.1/images/${queued}`)).status, 204)
    assert.equal((await call('GET', `/v2.1/images/${queued}`)).status, 404)
    assert.equal((await call('DELETE', `/v2.1/images/${queued}`)).status, 404)
  })
})
