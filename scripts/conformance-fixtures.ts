// What Tempest's compute tests expect to find in the cloud before they start: two flavors (flavor_ref and
// flavor_ref_alt) and two public images (image_ref and image_ref_alt), created as the admin through the APIs.
import { adminToken } from '../test/support/admin-token.js'

export interface ConformanceFixtures {
  readonly flavorRef: string
  readonly flavorRefAlt: string
  readonly imageRef: string
  readonly imageRefAlt: string
}

interface Endpoints {
  readonly identity: string
  readonly compute: string
  readonly image: string
}

async function send(token: string, method: string, url: string, body?: unknown): Promise<unknown> {
  const raw = body instanceof Uint8Array
  const response = await fetch(url, {
    method,
    headers: {
      'x-auth-token': token,
      'content-type': raw ? 'application/octet-stream' : 'application/json',
    },
    ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
  })
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`)
  const text = await response.text()
  return text === '' ? undefined : JSON.parse(text)
}

/** Flavors as the reference cloud's setup makes them (ids 42 and 84), and two small raw images. */
export async function createConformanceFixtures(
  endpoints: Endpoints,
  adminPassword: string,
): Promise<ConformanceFixtures> {
  const { token } = await adminToken(endpoints.identity, adminPassword)
  const flavors: [string, string, number][] = [
    ['42', 'm1.nano', 128],
    ['84', 'm1.micro', 192],
  ]
  for (const [id, name, ram] of flavors)
    await send(token, 'POST', `${endpoints.compute}/v2.1/flavors`, {
      flavor: { id, name, ram, vcpus: 1, disk: 1 },
    })
  const images: string[] = []
  for (const name of ['cirros-raw', 'cirros-raw-alt']) {
    const image = (await send(token, 'POST', `${endpoints.image}/v2/images`, {
      name,
      disk_format: 'raw',
      container_format: 'bare',
      visibility: 'public',
    })) as { id: string }
    // A small raw disk: a boot sector's worth of bytes with the 0x55aa signature, then zeros.
    const disk = new Uint8Array(1024 * 1024)
    disk[510] = 0x55
    disk[511] = 0xaa
    await send(token, 'PUT', `${endpoints.image}/v2/images/${image.id}/file`, disk)
    images.push(image.id)
  }
  return { flavorRef: '42', flavorRefAlt: '84', imageRef: images[0]!, imageRefAlt: images[1]! }
}
