import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { startBuildCloud, type BuildCloud, type Obj } from '../support/build-harness.js'

describe('[server-extras] ips, os-server-password and instance actions of deleted servers', () => {
  let cloud: BuildCloud
  let server: string

  before(async () => {
    cloud = await startBuildCloud({ computes: ['cmp-1'] })
    const r = await cloud.call('POST', '/servers', {
      server: { name: 'vm1', flavorRef: '1', imageRef: cloud.imageId },
    })
    assert.equal(r.status, 202, JSON.stringify(r.body))
    server = r.body.server.id
    await cloud.status(server, 'ACTIVE')
  })
  after(async () => {
    await cloud.close()
  })

  it('GET /servers/{id}/ips: no addresses before networking; a label is 404; another project 403', async () => {
    assert.deepEqual((await cloud.call('GET', `/servers/${server}/ips`)).body, { addresses: {} })
    const label = await cloud.call('GET', `/servers/${server}/ips/private`)
    assert.deepEqual(label.body, {
      itemNotFound: { code: 404, message: 'Instance is not a member of specified network' },
    })
    assert.equal((await cloud.call('GET', `/servers/${server}/ips`, undefined, 'MEMBER_B')).status, 403)
    assert.equal((await cloud.call('GET', `/servers/${server}/ips`, undefined, 'ADMIN')).status, 200)
    const missing = await cloud.call('GET', '/servers/00000000-0000-0000-0000-000000000000/ips')
    assert.equal(missing.status, 404)
  })

  it('os-server-password: the stored encrypted password, cleared by DELETE (204)', async () => {
    const url = `/servers/${server}/os-server-password`
    assert.deepEqual((await cloud.call('GET', url)).body, { password: '' })
    const k = cloud.mainDb.kysely as unknown as {
      insertInto(t: string): { values(v: Obj[]): { execute(): Promise<unknown> } }
    }
    await k
      .insertInto('instance_system_metadata')
      .values([
        { instance_uuid: server, key: 'password_0', value: 'c2VjcmV0', deleted: 0 },
        { instance_uuid: server, key: 'password_1', value: 'LXBhcnQy', deleted: 0 },
      ])
      .execute()
    assert.deepEqual((await cloud.call('GET', url)).body, { password: 'c2VjcmV0LXBhcnQy' })
    assert.equal((await cloud.call('DELETE', url, undefined, 'READER_A')).status, 401)
    assert.equal((await cloud.call('DELETE', url, undefined, 'MEMBER_B')).status, 403)
    assert.equal((await cloud.call('DELETE', url)).status, 204)
    assert.deepEqual((await cloud.call('GET', url)).body, { password: '' })
  })

  it('os-instance-actions of a deleted server: 404 before 2.21, listed from 2.21', async () => {
    const r = await cloud.call('POST', '/servers', {
      server: { name: 'gone', flavorRef: '1', imageRef: cloud.imageId },
    })
    const id = r.body.server.id
    await cloud.status(id, 'ACTIVE')
    assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
    for (let i = 0; i < 100; i++) {
      if ((await cloud.call('GET', `/servers/${id}`)).status === 404) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.equal(
      (await cloud.call('GET', `/servers/${id}/os-instance-actions`, undefined, 'MEMBER_A', '2.20')).status,
      404,
    )
    const list = await cloud.call('GET', `/servers/${id}/os-instance-actions`, undefined, 'MEMBER_A', '2.21')
    assert.equal(list.status, 200)
    assert.deepEqual(list.body.instanceActions.map((a: Obj) => a.action).sort(), ['create', 'delete'])
    const reqId = list.body.instanceActions.find((a: Obj) => a.action === 'delete').request_id
    const show = await cloud.call(
      'GET',
      `/servers/${id}/os-instance-actions/${reqId}`,
      undefined,
      'MEMBER_A',
      '2.21',
    )
    assert.equal(show.status, 200)
    assert.equal(show.body.instanceAction.action, 'delete')
    assert.equal(
      (await cloud.call('GET', `/servers/${id}/os-instance-actions`, undefined, 'MEMBER_B', '2.21')).status,
      404,
    )
  })
})
