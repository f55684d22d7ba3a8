import { strict as assert } from 'node:assert'
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { computeApiHarness, type ComputeApiHarness } from './support.js'

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF7UCbcyaQ9UtkqNPf2awqEwCuqWAbNH56hPIMpzUw9+ test@host'
const ED25519_MD5 = 'ad:fe:80:cc:59:c1:cb:9c:a7:a8:0e:15:c6:67:c8:c9'
const CERT = `-----BEGIN CERTIFICATE-----
MIIBhjCCASugAwIBAgIUdoqmkhNTDSr5YVIPZAHYKvOQVKkwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMbm92YS10cy10ZXN0MCAXDTI2MTEzMDIzNDExMVoYDzIxMjYx
MTA2MjM0MTExWjAXMRUwEwYDVQQDDAxub3ZhLXRzLXRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAASbXuzDscqytDdc5AfrLz44xac/yNLkS8ZDYZIV84XjoM93
xuQlGKS35cK6geP9b3SBNvNJbxwGcdfJT469tCXEo1MwUTAdBgNVHQ4EFgQUj978
w4uCbDLTNZhy2NKrXjvYzHwwHwYDVR0jBBgwFoAUj978w4uCbDLTNZhy2NKrXjvY
zHwwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAzoBspP1Ohgzx
yCNMnsXDI1ATK4l0opU+sh5CGyVVrxsCIQDvbKrPmf33BNWDReoM50bN8SmMkX4D
foe8gVskID106A==
-----END CERTIFICATE-----
`
const CERT_SHA1 = '97:d9:93:ba:72:37:35:ff:1c:2f:fe:fa:ec:81:14:a1:be:12:21:62'

describe('compute API keypairs', () => {
  let api: ComputeApiHarness
  before(async () => {
    api = await computeApiHarness({ keypairQuota: 5 })
  })
  after(() => api.close())

  it('generates an RSA key pair: private key PEM, ssh-rsa public key, MD5 fingerprint; 200 at 2.1', async () => {
    const r = await api.call('POST', '/v2.1/os-keypairs', { keypair: { name: 'gen' } }, { token: 'MEMBER_A' })
    assert.equal(r.status, 200)
    const k = r.body.keypair
    assert.deepEqual(Object.keys(k).sort(), ['fingerprint', 'name', 'private_key', 'public_key', 'user_id'])
    assert.equal(k.user_id, 'user-project-a')
    assert.match(k.private_key, /^-----BEGIN RSA PRIVATE KEY-----/)
    assert.equal(createPrivateKey(k.private_key).asymmetricKeyDetails?.modulusLength, 2048)
    assert.match(k.public_key, /^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/)
    const blob = Buffer.from(k.public_key.split(' ')[1], 'base64')
    const md5 = [...createHash('md5').update(blob).digest()]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join(':')
    assert.equal(k.fingerprint, md5)
  })

  it('imports ssh and x509 keys from 2.2 with 201 and type; fingerprints as Nova computes them', async () => {
    const ssh = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'imported', public_key: ED25519 } },
      {
        token: 'MEMBER_A',
        version: '2.2',
      },
    )
    assert.equal(ssh.status, 201)
    assert.deepEqual(ssh.body.keypair, {
      name: 'imported',
      public_key: ED25519,
      fingerprint: ED25519_MD5,
      type: 'ssh',
      user_id: 'user-project-a',
    })
    const x509 = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'cert', type: 'x509', public_key: CERT } },
      {
        token: 'MEMBER_A',
        version: '2.2',
      },
    )
    assert.equal(x509.status, 201)
    assert.equal(x509.body.keypair.fingerprint, CERT_SHA1)
    assert.equal(x509.body.keypair.type, 'x509')
  })

  it('generates x509 key pairs: a self-signed certificate for a new RSA key, fingerprint its SHA-1', async () => {
    const r = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'made-cert', type: 'x509' } },
      { token: 'MEMBER_A', version: '2.2' },
    )
    assert.equal(r.status, 201, JSON.stringify(r.body))
    const cert = new X509Certificate(r.body.keypair.public_key)
    assert.ok(cert.verify(createPublicKey(r.body.keypair.private_key)), 'signed by its own key')
    assert.ok(cert.checkPrivateKey(createPrivateKey(r.body.keypair.private_key)))
    assert.match(cert.subject, /O=OpenStack/)
    assert.equal(cert.subject, cert.issuer)
    assert.equal(r.body.keypair.fingerprint, cert.fingerprint.toLowerCase())
    assert.match(r.body.keypair.private_key, /^-----BEGIN RSA PRIVATE KEY-----/)
    const shown = await api.call('GET', '/v2.1/os-keypairs/made-cert', undefined, {
      token: 'MEMBER_A',
      version: '2.2',
    })
    assert.equal(shown.body.keypair.public_key, r.body.keypair.public_key)
    assert.equal(shown.body.keypair.type, 'x509')
    const gone = await api.call('DELETE', '/v2.1/os-keypairs/made-cert', undefined, { token: 'MEMBER_A' })
    assert.equal(gone.status, 202)
  })

  it('refuses bad keys, unsafe names, duplicates and unknown fields', async () => {
    const member = { token: 'MEMBER_A', version: '2.2' }
    const bad = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'bad', public_key: 'ssh-rsa notakey' } },
      member,
    )
    assert.deepEqual(bad.body, {
      badRequest: { code: 400, message: 'Keypair data is invalid: failed to generate fingerprint' },
    })
    const unsafe = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'a/b', public_key: ED25519 } },
      member,
    )
    assert.equal(
      unsafe.body.badRequest.message,
      'Keypair data is invalid: Keypair name contains unsafe characters',
    )
    const dup = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'imported', public_key: ED25519 } },
      member,
    )
    assert.deepEqual(dup.body, {
      conflictingRequest: { code: 409, message: "Key pair 'imported' already exists." },
    })
    const typeAt21 = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 't', type: 'ssh' } },
      { token: 'MEMBER_A' },
    )
    assert.equal(typeAt21.status, 400, 'type arrives with 2.2')
    const userAt22 = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 't', user_id: 'x' } },
      member,
    )
    assert.equal(userAt22.status, 400, 'user_id arrives with 2.10')
  })

  it('stops generating at 2.92 (public_key required) and accepts @ and . in names there', async () => {
    const gen = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'g92' } },
      { token: 'MEMBER_B', version: '2.92' },
    )
    assert.equal(gen.status, 400)
    assert.match(gen.body.badRequest.message, /'public_key' is a required property/)
    const dotted = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'me@host.x', public_key: ED25519 } },
      {
        token: 'MEMBER_B',
        version: '2.92',
      },
    )
    assert.equal(dotted.status, 201)
    const before = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'me@host.y', public_key: ED25519 } },
      {
        token: 'MEMBER_B',
        version: '2.91',
      },
    )
    assert.equal(before.status, 400)
  })

  it('lists the caller’s own key pairs (type from 2.2), paging from 2.35 with keypairs_links', async () => {
    const at21 = await api.call('GET', '/v2.1/os-keypairs', undefined, { token: 'MEMBER_A' })
    assert.deepEqual(
      at21.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name),
      ['cert', 'gen', 'imported'],
    )
    assert.deepEqual(Object.keys(at21.body.keypairs[0].keypair).sort(), ['fingerprint', 'name', 'public_key'])
    const at22 = await api.call('GET', '/v2.1/os-keypairs', undefined, { token: 'MEMBER_A', version: '2.2' })
    assert.equal(at22.body.keypairs[0].keypair.type, 'x509')
    const ignored = await api.call('GET', '/v2.1/os-keypairs?limit=1', undefined, {
      token: 'MEMBER_A',
      version: '2.34',
    })
    assert.equal(ignored.body.keypairs.length, 3)
    const page = await api.call('GET', '/v2.1/os-keypairs?limit=2', undefined, {
      token: 'MEMBER_A',
      version: '2.35',
    })
    assert.equal(page.body.keypairs.length, 2)
    const next = new URL(page.body.keypairs_links[0].href)
    assert.equal(next.searchParams.get('marker'), 'gen')
    const rest = await api.call('GET', `/v2.1/os-keypairs${next.search}`, undefined, {
      token: 'MEMBER_A',
      version: '2.35',
    })
    assert.deepEqual(
      rest.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name),
      ['imported'],
    )
    const otherUser = await api.call('GET', '/v2.1/os-keypairs', undefined, { token: 'MEMBER_B' })
    assert.deepEqual(
      otherUser.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name),
      ['me@host.x'],
    )
  })

  it('lets an admin act on another user’s key pairs from 2.10 (user_id), and refuses members', async () => {
    const asAdmin = await api.call('GET', '/v2.1/os-keypairs?user_id=user-project-a', undefined, {
      version: '2.10',
    })
    assert.equal(asAdmin.body.keypairs.length, 3)
    const forUser = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'for-b', public_key: ED25519, user_id: 'user-project-b' } },
      {
        version: '2.10',
      },
    )
    assert.equal(forUser.body.keypair.user_id, 'user-project-b')
    const byMember = await api.call('GET', '/v2.1/os-keypairs?user_id=user-project-a', undefined, {
      token: 'MEMBER_B',
      version: '2.10',
    })
    assert.deepEqual(byMember.body, {
      forbidden: {
        code: 403,
        message: "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.",
      },
    })
    const createForOther = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'x', public_key: ED25519, user_id: 'user-project-a' } },
      {
        token: 'MEMBER_B',
        version: '2.10',
      },
    )
    assert.equal(createForOther.status, 403)
  })

  it('shows one key pair with Nova’s show fields, 404 for another user’s', async () => {
    const r = await api.call('GET', '/v2.1/os-keypairs/imported', undefined, {
      token: 'MEMBER_A',
      version: '2.2',
    })
    assert.equal(r.status, 200)
    assert.deepEqual(Object.keys(r.body.keypair).sort(), [
      'created_at',
      'deleted',
      'deleted_at',
      'fingerprint',
      'id',
      'name',
      'public_key',
      'type',
      'updated_at',
      'user_id',
    ])
    assert.match(r.body.keypair.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/)
    assert.equal(r.body.keypair.deleted, false)
    const other = await api.call('GET', '/v2.1/os-keypairs/imported', undefined, { token: 'MEMBER_B' })
    assert.deepEqual(other.body, {
      itemNotFound: { code: 404, message: 'Keypair imported not found for user user-project-b' },
    })
  })

  it('deletes with 202 at 2.1 and 204 from 2.2, then 404', async () => {
    const at21 = await api.call('DELETE', '/v2.1/os-keypairs/gen', undefined, { token: 'MEMBER_A' })
    assert.equal(at21.status, 202)
    const at22 = await api.call('DELETE', '/v2.1/os-keypairs/cert', undefined, {
      token: 'MEMBER_A',
      version: '2.2',
    })
    assert.equal(at22.status, 204)
    assert.equal(
      (await api.call('DELETE', '/v2.1/os-keypairs/cert', undefined, { token: 'MEMBER_A' })).status,
      404,
    )
  })

  it('enforces [quota] key_pairs per user with 403', async () => {
    for (let i = 0; i < 4; i++)
      await api.call(
        'POST',
        '/v2.1/os-keypairs',
        { keypair: { name: `q${i}`, public_key: ED25519 } },
        { token: 'MEMBER_A' },
      )
    const over = await api.call(
      'POST',
      '/v2.1/os-keypairs',
      { keypair: { name: 'q-over', public_key: ED25519 } },
      {
        token: 'MEMBER_A',
      },
    )
    assert.deepEqual(over.body, { forbidden: { code: 403, message: 'Quota exceeded, too many key pairs.' } })
  })

  it('applies a policy file override (keypairs:create admin only)', async () => {
    const strict = await computeApiHarness({
      overrides: new Map([['os_compute_api:os-keypairs:create', 'rule:context_is_admin']]),
    })
    try {
      const r = await strict.call(
        'POST',
        '/v2.1/os-keypairs',
        { keypair: { name: 'k', public_key: ED25519 } },
        { token: 'MEMBER_A' },
      )
      assert.equal(r.status, 403)
      const ok = await strict.call('POST', '/v2.1/os-keypairs', {
        keypair: { name: 'k', public_key: ED25519 },
      })
      assert.equal(ok.status, 200)
    } finally {
      await strict.close()
    }
  })
})
