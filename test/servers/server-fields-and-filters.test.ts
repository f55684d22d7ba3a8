import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { quotaDefaultsOf } from '../../src/services/compute-api/admin/deps.js'
import { startBuildCloud, type ApiCall, type BuildCloud, type Obj } from '../support/build-harness.js'

describe('[build-flow] server fields, update views, create checks and list filters as Nova answers them', () => {
  let cloud: BuildCloud
  let call: ApiCall
  /** The harness's image when it has an image service, else any reference. */
  const imageRef = (): string => (cloud as unknown as { imageId?: string }).imageId ?? 'cirros'
  const boot = async (server: Obj, token?: string): Promise<{ status: number; body: Obj }> =>
    await call('POST', '/servers', { server: { flavorRef: '1', imageRef: imageRef(), ...server } }, token)

  before(async () => {
    cloud = await startBuildCloud({
      servers: (c) => ({ quota: { mainDb: c.mainDb, defaults: quotaDefaultsOf(c.config.quota) } }),
    })
    call = cloud.call
    await call('POST', '/flavors', { flavor: { name: 'alt', id: '2', ram: 512, vcpus: 1, disk: 1 } }, 'ADMIN')
    await call(
      'POST',
      '/flavors',
      {
        flavor: {
          name: 'private',
          id: '3',
          ram: 512,
          vcpus: 1,
          disk: 1,
          'os-flavor-access:is_public': false,
        },
      },
      'ADMIN',
    )
  })
  after(() => cloud.close())

  it('validates access IPs and stores them as Nova does (IPv6 compressed, embedded IPv4 in hex)', async () => {
    const bad4 = await boot({ name: 'a', accessIPv4: '1.1.1.1.1.1' })
    assert.equal(bad4.status, 400)
    assert.match(bad4.body.badRequest.message, /'1\.1\.1\.1\.1\.1' is not a 'ipv4'/)
    assert.equal((await boot({ name: 'a', accessIPv6: 'notv6' })).status, 400)
    const ok = await boot({
      name: 'ips',
      accessIPv4: '1.1.1.1',
      accessIPv6: '0000:0000:0000:0000:0000:babe:220.12.22.2',
    })
    assert.equal(ok.status, 202, JSON.stringify(ok.body))
    const server = await cloud.status(ok.body.server.id, 'ACTIVE')
    assert.equal(server.accessIPv4, '1.1.1.1')
    assert.equal(server.accessIPv6, '::babe:dc0c:1602')
  })

  it('PUT /servers/{id} sets access IPs and disk config; its answer is the trimmed view before 2.75, full after', async () => {
    const id = (await boot({ name: 'upd' })).body.server.id as string
    await cloud.status(id, 'ACTIVE')
    const r = await call('PUT', `/servers/${id}`, {
      server: {
        name: 'renamed',
        accessIPv4: '10.0.0.9',
        accessIPv6: '2001:DB8::1',
        'OS-DCF:diskConfig': 'AUTO',
      },
    })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.equal(r.body.server.name, 'renamed')
    assert.equal(r.body.server.accessIPv6, '2001:db8::1')
    assert.equal(r.body.server['OS-DCF:diskConfig'], 'AUTO')
    for (const key of ['OS-EXT-STS:vm_state', 'OS-EXT-AZ:availability_zone', 'key_name', 'security_groups'])
      assert.equal(key in r.body.server, false, `${key} is not in the 2.1 update view`)
    assert.equal(r.body.server.status, 'ACTIVE')
    const full = await call('PUT', `/servers/${id}`, { server: { name: 'again' } }, undefined, '2.75')
    assert.equal(full.body.server['OS-EXT-STS:vm_state'], 'active')
    assert.deepEqual(full.body.server.server_groups, [])
    const bad = await call('PUT', `/servers/${id}`, { server: { accessIPv4: 'x' } })
    assert.equal(bad.status, 400)
  })

  it('refuses a private flavor without access, unknown security groups and networks, and too much metadata', async () => {
    const priv = await boot({ name: 'p', flavorRef: '3' })
    assert.equal(priv.status, 400)
    assert.equal(priv.body.badRequest.message, 'Flavor 3 could not be found.')
    assert.equal((await boot({ name: 'p', flavorRef: '3' }, 'ADMIN')).status, 202)
    const sg = await boot({ name: 's', security_groups: [{ name: 'nope' }] })
    assert.equal(sg.status, 400)
    assert.equal(sg.body.badRequest.message, 'Security group nope not found.')
    const net = await boot({ name: 'n', networks: [{ uuid: 'a-b-c-d-e-f-g-h-i-j', fixed_ip: '10.0.1.1' }] })
    assert.equal(net.status, 400)
    assert.match(net.body.badRequest.message, /network uuid is not in proper format/)
    const metadata = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']))
    const meta = await boot({ name: 'm', metadata })
    assert.equal(meta.status, 403)
    assert.equal(meta.body.forbidden.message, 'Maximum number of metadata items exceeds 128')
  })

  it('lists by name regular expression, flavor, zero limit, ISO changes-since, and an admin by tenant', async () => {
    const a = (await boot({ name: 'flt-instance-1' })).body.server.id as string
    const b = (await boot({ name: 'flt-instance-22', flavorRef: '2' })).body.server.id as string
    const names = async (query: string, token?: string): Promise<string[]> => {
      const r = await call('GET', `/servers?${query}`, undefined, token)
      assert.equal(r.status, 200, JSON.stringify(r.body))
      return r.body.servers.map((s: Obj) => s.name).sort()
    }
    assert.deepEqual(await names(`name=${encodeURIComponent('^flt-.*-[0-9]+$')}`), [
      'flt-instance-1',
      'flt-instance-22',
    ])
    assert.deepEqual(await names('name=instance-2'), ['flt-instance-22'])
    assert.deepEqual(await names(`name=${encodeURIComponent('^instance')}`), [])
    const byFlavor = await call('GET', '/servers?flavor=2')
    assert.deepEqual(
      byFlavor.body.servers.map((s: Obj) => s.id),
      [b],
    )
    assert.deepEqual(await names('flavor=999'), [])
    assert.deepEqual(await names('limit=0'), [])
    assert.equal((await call('GET', '/servers?changes-since=2011/01/01')).status, 400)
    assert.ok((await names('changes-since=2011-01-01T00:00:00Z')).includes('flt-instance-1'))
    const adminOwn = (await boot({ name: 'admins' }, 'ADMIN')).body.server.id as string
    const tenant = await call('GET', '/servers?all_tenants=1&tenant_id=project-a', undefined, 'ADMIN')
    const ids = tenant.body.servers.map((s: Obj) => s.id)
    assert.ok(ids.includes(a) && !ids.includes(adminOwn))
  })

  it('2.71 shows the server group; a deleted server leaves its group', async () => {
    const group = (
      await call('POST', '/os-server-groups', { server_group: { name: 'g', policies: ['affinity'] } })
    ).body.server_group
    const created = await call('POST', '/servers', {
      server: { name: 'grouped', flavorRef: '1', imageRef: imageRef() },
      'os:scheduler_hints': { group: group.id },
    })
    const id = created.body.server.id as string
    await cloud.status(id, 'ACTIVE')
    const shown = await call('GET', `/servers/${id}`, undefined, undefined, '2.71')
    assert.deepEqual(shown.body.server.server_groups, [group.id])
    assert.equal(
      (await call('GET', `/servers/${id}`, undefined, undefined, '2.70')).body.server.server_groups,
      undefined,
    )
    assert.deepEqual((await call('GET', `/os-server-groups/${group.id}`)).body.server_group.members, [id])
    assert.equal((await call('DELETE', `/servers/${id}`)).status, 204)
    assert.deepEqual((await call('GET', `/os-server-groups/${group.id}`)).body.server_group.members, [])
  })
})
