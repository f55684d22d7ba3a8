import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import type { PlacementHarness } from '../placement/support.js'
import { startBuildCloud, until, type ApiCall, type BuildCloud, type Obj } from '../support/build-harness.js'

describe('[build-flow] boot, show, list and delete servers: API + conductor + scheduler + placement + fake computes', () => {
  let cloud: BuildCloud
  let placement: PlacementHarness
  let drivers: FakeDriver[]
  let call: ApiCall

  before(async () => {
    cloud = await startBuildCloud({ driver: () => ({ failSpawnPattern: /^broken/ }) })
    placement = cloud.placement!
    drivers = [...cloud.drivers.values()]
    call = cloud.call
    await call(
      'POST',
      '/flavors',
      { flavor: { name: 'm1.huge', id: '9', ram: 65536, vcpus: 1, disk: 1 } },
      'ADMIN',
    )
  })

  after(async () => {
    await cloud.close()
  })

  const status = (id: string, want: string): Promise<Obj> => cloud.status(id, want)

  /** The project's usage of VCPU, MEMORY_MB and DISK_GB (all consumer types). */
  const usage = async (): Promise<Obj> => {
    const all = (await placement.call('GET', '/usages?project_id=project-a')).body.usages as Obj
    const sum: Obj = {}
    for (const u of Object.values(all))
      for (const rc of ['VCPU', 'MEMORY_MB', 'DISK_GB']) if (u[rc] > 0) sum[rc] = (sum[rc] ?? 0) + u[rc]
    return sum
  }
  it('boots 3 servers to ACTIVE, with placement usage, list and show; delete frees everything', async () => {
    const created = await call('POST', '/servers', {
      server: {
        name: 'vm',
        flavorRef: '1',
        imageRef: cloud.imageId,
        min_count: 3,
        max_count: 3,
        networks: 'none',
      },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    assert.equal(created.body.server.adminPass.length, 12)
    assert.deepEqual(created.body.server.security_groups, [{ name: 'default' }])
    assert.equal(created.body.server['OS-DCF:diskConfig'], 'MANUAL')
    const list = await call('GET', '/servers')
    assert.equal(list.body.servers.length, 3)
    assert.deepEqual(list.body.servers.map((s: Obj) => s.name).sort(), ['vm-1', 'vm-2', 'vm-3'])
    const ids: string[] = list.body.servers.map((s: Obj) => s.id)
    for (const id of ids) {
      const server = await status(id, 'ACTIVE')
      assert.equal(server['OS-EXT-STS:vm_state'], 'active')
      assert.equal(server['OS-EXT-STS:task_state'], null)
      assert.equal(server['OS-EXT-STS:power_state'], 1)
      assert.ok(['cmp-1', 'cmp-2'].includes(server['OS-EXT-SRV-ATTR:host']))
      assert.match(server['OS-SRV-USG:launched_at'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
      assert.deepEqual(server.flavor.id, '1')
      assert.deepEqual(server.image.id, cloud.imageId)
      assert.equal(server.tenant_id, 'project-a')
      assert.equal(server.progress, 0)
    }
    assert.deepEqual(await usage(), { VCPU: 3, MEMORY_MB: 3072, DISK_GB: 30 })
    // A member sees no admin attributes; 2.47 embeds the flavor.
    const own = (await call('GET', `/servers/${ids[0]}`, undefined, 'MEMBER_A', '2.47')).body.server
    assert.equal(own['OS-EXT-SRV-ATTR:host'], undefined)
    assert.equal(own.flavor.original_name, 'm1.tiny')
    assert.equal(own.flavor.ram, 1024)
    // detail list with filters
    const detail = await call('GET', '/servers/detail?status=ACTIVE&name=vm-2')
    assert.equal(detail.body.servers.length, 1)
    assert.equal(detail.body.servers[0].name, 'vm-2')
    const page = await call('GET', '/servers?limit=2')
    assert.equal(page.body.servers.length, 2)
    assert.ok(page.body.servers_links[0].href.includes('marker='))
    // rename
    const renamed = await call('PUT', `/servers/${ids[0]}`, { server: { name: 'renamed' } })
    assert.equal(renamed.body.server.name, 'renamed')
    // instance actions: create with the compute's event
    const actions = await call('GET', `/servers/${ids[0]}/os-instance-actions`)
    assert.equal(actions.body.instanceActions[0].action, 'create')
    const action = await call(
      'GET',
      `/servers/${ids[0]}/os-instance-actions/${actions.body.instanceActions[0].request_id}`,
    )
    assert.deepEqual(
      action.body.instanceAction.events.map((e: Obj) => [e.event, e.result]),
      [
        ['conductor_schedule_and_build_instances', 'Success'],
        ['compute__do_build_and_run_instance', 'Success'],
      ],
    )
    // delete
    for (const id of ids) assert.equal((await call('DELETE', `/servers/${id}`)).status, 204)
    for (const id of ids)
      await until(`${id} gone`, async () =>
        (await call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
      )
    assert.equal((await call('GET', '/servers')).body.servers.length, 0)
    assert.deepEqual(await usage(), {})
    for (const d of drivers) assert.deepEqual(await d.listInstanceUuids(), [])
  })

  it('NoValidHost puts the server in ERROR with the explanation as its fault', async () => {
    const created = await call('POST', '/servers', {
      server: { name: 'big', flavorRef: '9', imageRef: cloud.imageId },
    })
    assert.equal(created.status, 202)
    const server = await status(created.body.server.id, 'ERROR')
    assert.equal(server.fault.code, 500)
    assert.match(server.fault.message, /^No valid host was found\. 0 of 2 hosts passed/)
    assert.equal(server['OS-EXT-STS:task_state'], null)
    assert.equal((await call('DELETE', `/servers/${server.id}`)).status, 204)
    assert.equal((await call('GET', `/servers/${server.id}`)).status, 404)
  })

  it('a failed spawn puts the server in ERROR with a fault and gives its allocations back', async () => {
    const created = await call('POST', '/servers', {
      server: { name: 'broken-1', flavorRef: '1', imageRef: cloud.imageId },
    })
    const id = created.body.server.id
    const server = await status(id, 'ERROR')
    // Both hosts fail `broken-*`: the build was rescheduled once, then gave up.
    assert.match(server.fault.message, /^Exceeded maximum number of retries\. Exhausted all hosts/)
    assert.equal(server['OS-EXT-SRV-ATTR:host'], null)
    assert.deepEqual((await placement.call('GET', `/allocations/${id}`)).body.allocations, {})
    assert.equal((await call('DELETE', `/servers/${id}`)).status, 204)
    assert.equal((await call('GET', `/servers/${id}`)).status, 404)
  })

  it('server metadata (set, merge, replace, items) and tags (2.26) with Nova codes', async () => {
    const created = await call('POST', '/servers', {
      server: { name: 'meta-1', flavorRef: '1', imageRef: cloud.imageId, metadata: { a: '1' } },
    })
    const id = created.body.server.id as string
    // Metadata and tags change on a server that has reached the cell (Nova refuses them in BUILD).
    await status(id, 'ACTIVE')
    const md = (method: string, url: string, body?: unknown) => call(method, `/servers/${id}${url}`, body)
    assert.deepEqual((await md('GET', '/metadata')).body, { metadata: { a: '1' } })
    assert.deepEqual((await md('POST', '/metadata', { metadata: { b: '2' } })).body, {
      metadata: { a: '1', b: '2' },
    })
    assert.deepEqual((await md('PUT', '/metadata', { metadata: { c: '3' } })).body, { metadata: { c: '3' } })
    assert.deepEqual((await md('GET', '/metadata/c')).body, { meta: { c: '3' } })
    assert.equal((await md('GET', '/metadata/a')).status, 404)
    assert.equal((await md('PUT', '/metadata/d', { meta: { e: '5' } })).status, 400, 'body and URI mismatch')
    assert.deepEqual((await md('PUT', '/metadata/d', { meta: { d: '4' } })).body, { meta: { d: '4' } })
    assert.equal((await md('DELETE', '/metadata/c')).status, 204)
    assert.equal((await md('DELETE', '/metadata/c')).status, 404)
    assert.equal((await md('POST', '/metadata', { metadata: { k: 7 } })).status, 400)
    assert.deepEqual((await call('GET', `/servers/${id}`)).body.server.metadata, { d: '4' })

    const tags = (method: string, url: string, body?: unknown) =>
      call(method, `/servers/${id}${url}`, body, 'MEMBER_A', '2.26')
    assert.equal((await call('GET', `/servers/${id}/tags`)).status, 404, 'tags need 2.26')
    assert.deepEqual((await tags('PUT', '/tags', { tags: ['web', 'prod'] })).body, { tags: ['prod', 'web'] })
    assert.equal((await tags('PUT', '/tags/blue')).status, 201)
    assert.equal((await tags('PUT', '/tags/blue')).status, 204)
    assert.equal((await tags('GET', '/tags/blue')).status, 204)
    assert.equal((await tags('PUT', '/tags/a,b')).status, 400)
    assert.deepEqual((await tags('GET', '/tags')).body, { tags: ['blue', 'prod', 'web'] })
    assert.equal((await tags('DELETE', '/tags/web')).status, 204)
    assert.equal((await tags('DELETE', '/tags/web')).status, 404)
    assert.deepEqual((await call('GET', `/servers/${id}`, undefined, 'MEMBER_A', '2.26')).body.server.tags, [
      'blue',
      'prod',
    ])
    assert.equal((await tags('DELETE', '/tags')).status, 204)
    assert.deepEqual((await tags('GET', '/tags')).body, { tags: [] })
    await status(id, 'ACTIVE')
    assert.equal((await call('DELETE', `/servers/${id}`)).status, 204)
  })

  it('server groups: create (policies before 2.64, policy + rules from it), list, show, delete, project scoped', async () => {
    const old = await call('POST', '/os-server-groups', {
      server_group: { name: 'g1', policies: ['anti-affinity'] },
    })
    assert.equal(old.status, 200, JSON.stringify(old.body))
    assert.deepEqual(old.body.server_group.policies, ['anti-affinity'])
    assert.deepEqual(old.body.server_group.members, [])
    assert.equal(old.body.server_group.project_id, undefined, 'project_id from 2.13')
    const made = await call(
      'POST',
      '/os-server-groups',
      { server_group: { name: 'g2', policy: 'anti-affinity', rules: { max_server_per_host: 2 } } },
      'MEMBER_A',
      '2.64',
    )
    assert.equal(made.status, 200, JSON.stringify(made.body))
    assert.deepEqual(
      [made.body.server_group.policy, made.body.server_group.rules],
      ['anti-affinity', { max_server_per_host: 2 }],
    )
    const bad = await call(
      'POST',
      '/os-server-groups',
      { server_group: { name: 'g3', policy: 'affinity', rules: { max_server_per_host: 2 } } },
      'MEMBER_A',
      '2.64',
    )
    assert.equal(bad.status, 400)
    assert.equal(
      (await call('POST', '/os-server-groups', { server_group: { name: 'g4', policies: ['soft-affinity'] } }))
        .status,
      400,
      'soft policies from 2.15',
    )
    const listed = await call('GET', '/os-server-groups', undefined, 'MEMBER_A', '2.13')
    assert.deepEqual(listed.body.server_groups.map((g: { name: string }) => g.name).sort(), ['g1', 'g2'])
    assert.equal(listed.body.server_groups[0].project_id, 'project-a')
    const other = await call('GET', `/os-server-groups/${made.body.server_group.id}`, undefined, 'MEMBER_B')
    assert.equal(other.status, 404, 'another project does not see it')
    assert.equal((await call('DELETE', `/os-server-groups/${old.body.server_group.id}`)).status, 204)
    assert.equal((await call('GET', `/os-server-groups/${old.body.server_group.id}`)).status, 404)
  })

  it('the group scheduler hint places anti-affinity members apart and affinity members together', async () => {
    const anti = await call('POST', '/os-server-groups', {
      server_group: { name: 'apart', policies: ['anti-affinity'] },
    })
    const together = await call('POST', '/os-server-groups', {
      server_group: { name: 'together', policies: ['affinity'] },
    })
    const boot = (name: string, group: string, count = 1) =>
      call('POST', '/servers', {
        server: { name, flavorRef: '1', imageRef: cloud.imageId, min_count: count, max_count: count },
        'os:scheduler_hints': { group },
      })
    const hostsOf = async (prefix: string) => {
      const list = (await call('GET', `/servers/detail?name=${prefix}`)).body.servers as Obj[]
      return Promise.all(
        list.map(async (s) => (await status(s.id, 'ACTIVE'))['OS-EXT-SRV-ATTR:host'] as string),
      )
    }
    assert.equal((await boot('apart', anti.body.server_group.id, 2)).status, 202)
    const apart = await hostsOf('apart')
    assert.equal(apart.length, 2)
    assert.equal(new Set(apart).size, 2, `anti-affinity members on different hosts: ${apart.join(', ')}`)
    const third = await boot('apart-3', anti.body.server_group.id)
    const refused = await status(third.body.server.id, 'ERROR')
    assert.match(refused.fault.message, /ServerGroupAntiAffinityFilter/)
    assert.equal((await boot('together', together.body.server_group.id, 2)).status, 202)
    const close = await hostsOf('together')
    assert.equal(new Set(close).size, 1, `affinity members on one host: ${close.join(', ')}`)
    const members = (await call('GET', `/os-server-groups/${anti.body.server_group.id}`)).body.server_group
      .members
    assert.equal(members.length, 3)
    assert.equal(
      (await boot('nogroup', '00000000-0000-0000-0000-000000000000')).status,
      400,
      'an unknown group is refused',
    )
    for (const s of (await call('GET', '/servers')).body.servers as Obj[])
      assert.equal((await call('DELETE', `/servers/${s.id}`)).status, 204)
  })

  it('unknown flavors and servers answer 400 and 404', async () => {
    const r = await call('POST', '/servers', {
      server: { name: 'x', flavorRef: 'nope', imageRef: cloud.imageId },
    })
    assert.equal(r.status, 400)
    assert.equal(r.body.badRequest.message, 'Flavor nope could not be found.')
    const missing = await call('GET', '/servers/00000000-0000-0000-0000-000000000000')
    assert.equal(missing.status, 404)
    assert.equal(
      missing.body.itemNotFound.message,
      'Instance 00000000-0000-0000-0000-000000000000 could not be found.',
    )
  })
})
