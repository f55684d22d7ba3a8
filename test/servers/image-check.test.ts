import { strict as assert } from 'node:assert'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { startBuildCloud, until, type BuildCloud } from '../support/build-harness.js'

describe('[image-check] imageRef at server create: through the image service with the caller token, as Nova checks it', () => {
  let cloud: BuildCloud
  let shows = 0

  before(async () => {
    cloud = await startBuildCloud({
      computes: ['cmp-1'],
      servers: (c) => ({
        images: (token) => {
          const client = c.images(token)
          return { show: (id: string) => (shows++, client.show(id)) }
        },
      }),
    })
  })

  after(async () => {
    await cloud.close()
  })

  const create = (server: Record<string, unknown>) =>
    cloud.call('POST', '/servers', { server: { name: 'img', flavorRef: '1', networks: 'none', ...server } })
  const upload = async (fields: Record<string, unknown>): Promise<string> =>
    (
      await cloud
        .images()
        .upload(
          { name: 'x', disk_format: 'raw', container_format: 'bare', visibility: 'public', ...fields },
          Readable.from([Buffer.alloc(512, 2)]),
        )
    ).id

  it('an unknown image: 400 "Image <id> could not be found."', async () => {
    const id = '6b1c9cbb-7b1a-4c59-9d0e-4e1b0b5b0c11'
    const r = await create({ imageRef: id })
    assert.equal(r.status, 400)
    assert.equal(r.body.badRequest.message, `Image ${id} could not be found.`)
  })

  it('an image the project cannot see is unknown too (the caller token is used)', async () => {
    const id = await upload({ visibility: 'private' })
    const r = await create({ imageRef: id })
    assert.equal(r.status, 400)
    assert.equal(r.body.badRequest.message, `Image ${id} could not be found.`)
  })

  it('an image without data (queued): 400 "Image <id> is not active."', async () => {
    const res = await fetch(`${cloud.imageUrl}/v2/images`, {
      method: 'POST',
      headers: { 'x-auth-token': 'MEMBER_A', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'empty', disk_format: 'raw', container_format: 'bare' }),
    })
    assert.equal(res.status, 201)
    const { id } = (await res.json()) as { id: string }
    const r = await create({ imageRef: id })
    assert.equal(r.status, 400)
    assert.equal(r.body.badRequest.message, `Image ${id} is not active.`)
  })

  it('a flavor too small for min_ram or min_disk: 400 with Nova messages', async () => {
    const ram = await create({ imageRef: await upload({ min_ram: 2048 }) })
    assert.equal(ram.status, 400)
    assert.equal(ram.body.badRequest.message, "Flavor's memory is too small for requested image.")
    const disk = await create({ imageRef: await upload({ min_disk: 20 }) })
    assert.equal(disk.status, 400)
    assert.equal(disk.body.badRequest.message, "Flavor's disk is too small for requested image.")
  })

  it('image properties go to system_metadata (image_*); the image is looked up once per request', async () => {
    const imageId = await upload({ min_ram: 512, hw_disk_bus: 'virtio', os_distro: 'cirros' })
    shows = 0
    const r = await create({ imageRef: `http://image.test/v2/images/${imageId}`, min_count: 3 })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    assert.equal(shows, 1)
    // The conductor creates the instance in the cell from its build request.
    const instance = await until('in the cell', () => cloud.instances.get(r.body.server.id))
    assert.equal(instance.image_ref, imageId)
    assert.deepEqual(
      Object.fromEntries(Object.entries(instance.system_metadata).filter(([k]) => k.startsWith('image_'))),
      {
        image_base_image_ref: imageId,
        image_hw_disk_bus: 'virtio',
        image_os_distro: 'cirros',
        image_min_ram: '512',
        image_min_disk: '10',
        image_disk_format: 'raw',
        image_container_format: 'bare',
      },
    )
    for (const s of (await cloud.call('GET', '/servers')).body.servers as { id: string }[])
      assert.equal((await cloud.call('DELETE', `/servers/${s.id}`)).status, 204)
  })

  it('imageRef is optional only when booting from a volume', async () => {
    const none = await create({})
    assert.equal(none.status, 400)
    const bfv = await create({
      block_device_mapping_v2: [
        {
          boot_index: 0,
          uuid: '1d4d0d5e-2a3b-4c5d-8e9f-0a1b2c3d4e5f',
          source_type: 'volume',
          destination_type: 'volume',
        },
      ],
    })
    assert.equal(bfv.status, 202, JSON.stringify(bfv.body))
    const instance = await until('in the cell', () => cloud.instances.get(bfv.body.server.id))
    assert.equal(instance.image_ref, '')
    assert.equal((await cloud.call('DELETE', `/servers/${bfv.body.server.id}`)).status, 204)
  })
})
