import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { signV2 } from '../../src/services/identity/ec2-signature.js'
import { ADMIN_PASSWORD, startIdentity, type IdentityFixture } from '../support/identity-fixture.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('identity API (Keystone v3)', () => {
  let id: IdentityFixture
  let admin: string
  const made: Record<string, string> = {}

  before(async () => {
    id = await startIdentity({ lockoutFailureAttempts: 3 })
    admin = (await id.login('admin', ADMIN_PASSWORD, 'admin')).token
    for (const name of ['proj-a', 'proj-b']) {
      const res = await id.call('POST', '/v3/projects', admin, { project: { name } })
      assert.equal(res.status, 201)
      made[name] = (res.body.project as Obj).id
    }
    for (const name of ['alice', 'bob', 'rita']) {
      const res = await id.call('POST', '/v3/users', admin, {
        user: { name, password: `${name}-pw`, email: `${name}@example.com` },
      })
      assert.equal(res.status, 201)
      made[name] = (res.body.user as Obj).id
    }
    const roles = (await id.call('GET', '/v3/roles', admin)).body.roles as Obj[]
    for (const r of roles) made[`role:${r.name}`] = r.id
    const grant = (user: string, project: string, role: string) =>
      id.call('PUT', `/v3/projects/${made[project]}/users/${made[user]}/roles/${made[`role:${role}`]}`, admin)
    assert.equal((await grant('alice', 'proj-a', 'member')).status, 204)
    assert.equal((await grant('bob', 'proj-b', 'member')).status, 204)
    assert.equal((await grant('rita', 'proj-a', 'reader')).status, 204)
  })
  after(() => id.close())

  it('serves the version documents clients discover', async () => {
    const root = await id.app.inject({ method: 'GET', url: '/' })
    assert.equal(root.statusCode, 300)
    assert.equal((root.json() as Obj).versions.values[0].id, 'v3.14')
    const v3 = await id.app.inject({ method: 'GET', url: '/v3' })
    assert.equal((v3.json() as Obj).version.links[0].href, 'http://identity.test:5000/v3/')
  })

  it('issues a project-scoped token with user, project, implied roles, catalog and times', async () => {
    const res = await id.login('alice', 'alice-pw', 'proj-a')
    assert.equal(res.status, 201)
    assert.ok(res.token.length > 50)
    const token = res.body.token as Obj
    assert.deepEqual(token.methods, ['password'])
    assert.equal(token.user.name, 'alice')
    assert.deepEqual(token.user.domain, { id: 'default', name: 'Default' })
    assert.equal(token.project.id, made['proj-a'])
    assert.deepEqual(
      token.roles.map((r: Obj) => r.name).sort(),
      ['member', 'reader'],
      'member implies reader',
    )
    assert.match(token.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/)
    assert.deepEqual(token.catalog.map((s: Obj) => s.type).sort(), ['compute', 'identity'])
    const noCatalog = await id.app.inject({
      method: 'POST',
      url: '/v3/auth/tokens?nocatalog',
      payload: {
        auth: {
          identity: { methods: ['password'], password: { user: { id: made.alice, password: 'alice-pw' } } },
          scope: { project: { id: made['proj-a'] } },
        },
      },
    })
    assert.equal(noCatalog.statusCode, 201)
    assert.equal((noCatalog.json() as Obj).token.catalog, undefined)
  })

  it('answers a wrong password and an unknown user alike, with WWW-Authenticate', async () => {
    const wrong = await id.login('alice', 'nope', 'proj-a')
    const unknown = await id.login('nobody', 'nope', 'proj-a')
    assert.equal(wrong.status, 401)
    assert.deepEqual(wrong.body, unknown.body)
    assert.deepEqual(Object.keys((wrong.body as Obj).error).sort(), ['code', 'message', 'title'])
    const res = await id.app.inject({ method: 'GET', url: '/v3/projects' })
    assert.equal(res.statusCode, 401)
    assert.equal(res.headers['www-authenticate'], 'Keystone uri="http://identity.test:5000/v3"')
  })

  it('refuses a scope the user has no role on', async () => {
    assert.equal((await id.login('alice', 'alice-pw', 'proj-b')).status, 401)
  })

  it('validates, checks and revokes tokens; a revoked token is refused everywhere at once', async () => {
    const alice = (await id.login('alice', 'alice-pw', 'proj-a')).token
    const shown = await id.app.inject({
      method: 'GET',
      url: '/v3/auth/tokens',
      headers: { 'x-auth-token': admin, 'x-subject-token': alice },
    })
    assert.equal(shown.statusCode, 200)
    assert.equal((shown.json() as Obj).token.user.name, 'alice')
    assert.equal(
      (
        await id.app.inject({
          method: 'HEAD',
          url: '/v3/auth/tokens',
          headers: { 'x-auth-token': admin, 'x-subject-token': alice },
        })
      ).statusCode,
      200,
    )
    assert.equal(
      (
        await id.app.inject({
          method: 'DELETE',
          url: '/v3/auth/tokens',
          headers: { 'x-auth-token': admin, 'x-subject-token': alice },
        })
      ).statusCode,
      204,
    )
    assert.equal(
      (
        await id.app.inject({
          method: 'GET',
          url: '/v3/auth/tokens',
          headers: { 'x-auth-token': admin, 'x-subject-token': alice },
        })
      ).statusCode,
      404,
    )
    assert.equal((await id.call('GET', '/v3/auth/projects', alice)).status, 401)
    const restarted = await id.restart()
    assert.equal(
      (await restarted.call('GET', '/v3/auth/projects', alice)).status,
      401,
      'revocation survives a restart',
    )
    await restarted.app.close()
  })

  it('rescopes with the token method, keeping the audit chain', async () => {
    const unscoped = await id.login('alice', 'alice-pw')
    assert.equal((unscoped.body.token as Obj).project, undefined)
    const res = await id.app.inject({
      method: 'POST',
      url: '/v3/auth/tokens',
      payload: {
        auth: {
          identity: { methods: ['token'], token: { id: unscoped.token } },
          scope: { project: { id: made['proj-a'] } },
        },
      },
    })
    assert.equal(res.statusCode, 201)
    const token = (res.json() as Obj).token
    assert.equal(token.project.id, made['proj-a'])
    assert.equal(token.audit_ids[1], (unscoped.body.token as Obj).audit_ids[0])
  })

  it('keeps projects apart: a member of A sees only A and can touch nothing of B', async () => {
    const alice = (await id.login('alice', 'alice-pw', 'proj-a')).token
    assert.equal(
      (await id.call('GET', '/v3/projects', alice)).status,
      403,
      'listing every project is for admins',
    )
    const mine = await id.call('GET', '/v3/auth/projects', alice)
    assert.deepEqual(
      (mine.body.projects as Obj[]).map((p) => p.name),
      ['proj-a'],
    )
    assert.equal((await id.call('GET', `/v3/projects/${made['proj-b']}`, alice)).status, 403)
    assert.equal(
      (await id.call('PATCH', `/v3/projects/${made['proj-b']}`, alice, { project: { description: 'x' } }))
        .status,
      403,
    )
    assert.equal((await id.call('DELETE', `/v3/projects/${made['proj-b']}`, alice)).status, 403)
    assert.equal((await id.call('GET', `/v3/users/${made.bob}`, alice)).status, 403)
    assert.equal((await id.call('GET', '/v3/users', alice)).status, 403)
    assert.equal(
      (await id.call('GET', `/v3/role_assignments?scope.project.id=${made['proj-b']}`, alice)).status,
      403,
    )
    assert.equal((await id.call('GET', `/v3/users/${made.alice}`, alice)).status, 200, 'but may read itself')
  })

  it('does not let a reader write', async () => {
    const rita = (await id.login('rita', 'rita-pw', 'proj-a')).token
    assert.equal((await id.call('GET', `/v3/projects/${made['proj-a']}`, rita)).status, 200)
    assert.equal((await id.call('POST', '/v3/projects', rita, { project: { name: 'sneaky' } })).status, 403)
    assert.equal(
      (await id.call('PATCH', `/v3/projects/${made['proj-a']}`, rita, { project: { name: 'x' } })).status,
      403,
    )
    assert.equal((await id.call('POST', '/v3/users', rita, { user: { name: 'x' } })).status, 403)
  })

  it('invalidates tokens when a role assignment is removed or the user is disabled', async () => {
    const bob = (await id.login('bob', 'bob-pw', 'proj-b')).token
    assert.equal((await id.call('GET', '/v3/auth/projects', bob)).status, 200)
    assert.equal(
      (
        await id.call(
          'DELETE',
          `/v3/projects/${made['proj-b']}/users/${made.bob}/roles/${made['role:member']}`,
          admin,
        )
      ).status,
      204,
    )
    assert.equal((await id.call('GET', '/v3/auth/projects', bob)).status, 401)
    await id.call(
      'PUT',
      `/v3/projects/${made['proj-b']}/users/${made.bob}/roles/${made['role:member']}`,
      admin,
    )
    const again = (await id.login('bob', 'bob-pw', 'proj-b')).token
    assert.equal(
      (await id.call('PATCH', `/v3/users/${made.bob}`, admin, { user: { enabled: false } })).status,
      200,
    )
    assert.equal((await id.call('GET', '/v3/auth/projects', again)).status, 401)
    assert.equal((await id.login('bob', 'bob-pw', 'proj-b')).status, 401)
  })

  it('answers bad input with 400 and a duplicate name with 409, writing nothing', async () => {
    const bad = await id.app.inject({
      method: 'POST',
      url: '/v3/projects',
      headers: { 'x-auth-token': admin, 'content-type': 'application/json' },
      payload: '{"project": ',
    })
    assert.equal(bad.statusCode, 400)
    assert.equal((bad.json() as Obj).error.title, 'Bad Request')
    assert.equal(
      (await id.call('POST', '/v3/projects', admin, { project: { description: 'no name' } })).status,
      400,
    )
    assert.equal((await id.call('POST', '/v3/projects', admin, { project: 'not an object' })).status, 400)
    const dup = await id.call('POST', '/v3/projects', admin, { project: { name: 'proj-a' } })
    assert.equal(dup.status, 409)
    assert.equal((dup.body.error as Obj).code, 409)
    const named = (await id.call('GET', '/v3/projects?name=proj-a', admin)).body.projects as Obj[]
    assert.equal(named.length, 1)
  })

  it('locks a user out after repeated wrong passwords', async () => {
    await id.call('POST', '/v3/users', admin, { user: { name: 'mallory', password: 'right' } })
    for (let i = 0; i < 3; i++) assert.equal((await id.login('mallory', 'wrong')).status, 401)
    assert.equal((await id.login('mallory', 'right')).status, 401, 'locked out even with the right password')
  })

  it('lists role assignments with names, as openstack role assignment list --names does', async () => {
    const res = await id.call(
      'GET',
      `/v3/role_assignments?scope.project.id=${made['proj-a']}&include_names=True`,
      admin,
    )
    assert.equal(res.status, 200)
    const rows = (res.body.role_assignments as Obj[]).map(
      (a) => `${a.role.name} ${a.user.name}@${a.user.domain.name} ${a.scope.project.name}`,
    )
    assert.deepEqual(rows.sort(), ['member alice@Default proj-a', 'reader rita@Default proj-a'])
  })
  it('turns a request signed with an EC2 credential into a token for its project (POST /v3/ec2tokens)', async () => {
    const alice = (await id.login('alice', 'alice-pw', 'proj-a')).token
    const created = await id.call('POST', `/v3/users/${made.alice}/credentials/OS-EC2`, alice, {
      tenant_id: made['proj-a'],
    })
    assert.equal(created.status, 201)
    const { access, secret } = created.body.credential as Obj
    const params = {
      Action: 'DescribeInstances',
      AWSAccessKeyId: access,
      SignatureMethod: 'HmacSHA256',
      SignatureVersion: '2',
      Version: '2016-11-15',
    }
    const unsigned = {
      access,
      host: 'ec2.test:8788',
      verb: 'POST',
      path: '/',
      params,
      headers: {},
      signature: '',
    }
    const signature = signV2(secret, unsigned)
    const ok = await id.app.inject({
      method: 'POST',
      url: '/v3/ec2tokens',
      payload: { credentials: { ...unsigned, signature } },
    })
    assert.equal(ok.statusCode, 200)
    assert.match(String(ok.headers['x-subject-token']), /^gAAAAA/)
    assert.equal((ok.json() as Obj).token.project.id, made['proj-a'])
    const forged = await id.app.inject({
      method: 'POST',
      url: '/v3/ec2tokens',
      payload: { credentials: { ...unsigned, signature: signV2('guess', unsigned) } },
    })
    assert.equal(forged.statusCode, 401)
    const other = await id.call(
      'GET',
      `/v3/users/${made.alice}/credentials/OS-EC2`,
      (await id.login('rita', 'rita-pw', 'proj-a')).token,
    )
    assert.equal(other.status, 403, "another user cannot read alice's EC2 credentials")
  })
  it('lists effective assignments over a project subtree, expanding groups to their members', async () => {
    const child = await id.call('POST', '/v3/projects', admin, {
      project: { name: 'proj-a-child', parent_id: made['proj-a'] },
    })
    assert.equal(child.status, 201)
    const childId = (child.body.project as Obj).id
    const group = await id.call('POST', '/v3/groups', admin, { group: { name: 'a-team' } })
    const groupId = (group.body.group as Obj).id
    assert.equal((await id.call('PUT', `/v3/groups/${groupId}/users/${made.alice}`, admin)).status, 204)
    assert.equal(
      (await id.call('PUT', `/v3/projects/${childId}/groups/${groupId}/roles/${made['role:member']}`, admin))
        .status,
      204,
    )
    const res = await id.call(
      'GET',
      `/v3/role_assignments?scope.project.id=${made['proj-a']}&include_subtree=True&effective&user.id=${made.alice}`,
      admin,
    )
    assert.equal(res.status, 200)
    const rows = (res.body.role_assignments as Obj[]).map(
      (a) =>
        `${a.scope.project.id === childId ? 'child' : 'a'}:${a.role.id === made['role:member'] ? 'member' : 'reader'}`,
    )
    assert.deepEqual(rows.sort(), ['a:member', 'a:reader', 'child:member', 'child:reader'])
    const token = await id.login('alice', 'alice-pw', 'proj-a-child')
    assert.equal(token.status, 201, 'a role through a group scopes a token')
  })
})
