import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { configDriveFiles } from './config-drive-files.js'
import {
  ec2MetaData,
  imageEc2Id,
  networkData,
  openstackMetaData,
  type MetadataInstance,
} from './instance-metadata.js'
import { pythonJson } from './python-json.js'
import { OPENSTACK_VERSIONS } from './versions.js'

const UUID = '6f1c2a4e-0d3b-4b7e-9b3a-1f2e3d4c5b6a'
const IMAGE = '0a1b2c3d-0000-4000-8000-000000000001'
const instance: MetadataInstance = {
  uuid: UUID,
  name: 'web 1',
  hostname: 'web-1',
  projectId: 'p1',
  launchIndex: 0,
  availabilityZone: 'nova',
  reservationId: 'r-abcdef12',
  internalId: 42,
  imageId: IMAGE,
  kernelId: '0000000a-0000-4000-8000-000000000002',
  flavorName: 'm1.tiny',
  keyPair: { name: 'k1', publicKey: 'ssh-ed25519 AAAA k1@host' },
  userData: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
  metadata: { role: 'web' },
}
const settings = { dhcpDomain: 'novalocal', randomSeed: () => 'c2VlZA==' }
const text = (files: ReturnType<typeof configDriveFiles>, p: string) =>
  files.find((f) => f.path === p)?.data.toString('utf8')

describe('the instance metadata (meta_data.json, the EC2 tree)', () => {
  it('meta_data.json of latest: Nova key order, the key pair, hostname with the dhcp domain, seed, project', () => {
    const md = openstackMetaData(instance, 'latest', settings, { adminPass: 'pw' })
    assert.deepEqual(Object.keys(md), [
      'uuid',
      'meta',
      'admin_pass',
      'public_keys',
      'keys',
      'hostname',
      'name',
      'launch_index',
      'availability_zone',
      'random_seed',
      'project_id',
      'devices',
      'dedicated_cpus',
    ])
    assert.equal(md.hostname, 'web-1.novalocal')
    assert.deepEqual(md.public_keys, { k1: 'ssh-ed25519 AAAA k1@host' })
    assert.deepEqual(md.keys, [{ name: 'k1', type: 'ssh', data: 'ssh-ed25519 AAAA k1@host' }])
    assert.equal(md.meta && (md.meta as Record<string, string>).role, 'web')
  })

  it('older versions lack what came later; no meta without metadata; no domain when dhcp_domain is empty', () => {
    const bare = { ...instance, metadata: {}, keyPair: undefined }
    const folsom = openstackMetaData(bare, '2012-08-10', { ...settings, dhcpDomain: '' })
    assert.deepEqual(Object.keys(folsom), ['uuid', 'hostname', 'name', 'launch_index', 'availability_zone'])
    assert.equal(folsom.hostname, 'web-1')
    assert.ok('project_id' in openstackMetaData(bare, '2015-10-15', settings))
    assert.ok(!('devices' in openstackMetaData(bare, '2015-10-15', settings)))
    assert.throws(() => openstackMetaData(bare, '2011-01-01', settings), /unknown metadata version/)
  })

  it('the EC2 meta-data of 2009-04-04: ids, hostnames, block device mapping, placement', () => {
    const md = ec2MetaData(instance, 'latest', settings)
    assert.equal(md['instance-id'], 'i-0000002a')
    assert.equal(md['ami-id'], 'ami-0a1b2c3d')
    assert.equal(md['kernel-id'], 'aki-0000000a')
    assert.equal(md['ami-launch-index'], 0)
    assert.equal(md['local-hostname'], 'web-1.novalocal')
    assert.equal(md['instance-type'], 'm1.tiny')
    assert.deepEqual(md['block-device-mapping'], { ami: 'vda', root: '/dev/vda' })
    assert.deepEqual(md.placement, { 'availability-zone': 'nova' })
    assert.deepEqual(md['public-keys'], { '0': { _name: '0=k1', 'openssh-key': 'ssh-ed25519 AAAA k1@host' } })
    assert.ok(!('instance-type' in ec2MetaData(instance, '2007-01-19', settings)))
    assert.equal(imageEc2Id('ari', 'not-hex'), 'ari-00000000')
  })

  it('network_data.json is {} without interfaces, links with them', () => {
    assert.deepEqual(networkData([]), {})
    const nd = networkData([{ id: '1234567890abcdef', address: 'fa:16:3e:00:00:01', mtu: 1450 }])
    assert.deepEqual(nd.links, [
      {
        id: 'tap1234567890a',
        vif_id: '1234567890abcdef',
        type: 'ethernet',
        mtu: 1450,
        ethernet_mac_address: 'fa:16:3e:00:00:01',
      },
    ])
  })

  it('writes JSON as Python does (separators, ASCII escapes)', () => {
    assert.equal(
      pythonJson({ a: [1, true, null], b: 'é\n"' }),
      '{"a": [1, true, null], "b": "\\u00e9\\n\\""}',
    )
    assert.equal(pythonJson({}), '{}')
  })
})

describe('the config drive files', () => {
  const files = configDriveFiles(instance, settings, {
    adminPass: 'pw',
    files: [{ path: '/etc/motd', contents: 'hello' }],
  })
  const paths = files.map((f) => f.path)

  it('has every OpenStack version and latest, EC2 2009-04-04 and latest only (config_drive_skip_versions)', () => {
    for (const v of [...OPENSTACK_VERSIONS, 'latest'])
      assert.ok(paths.includes(`openstack/${v}/meta_data.json`), v)
    assert.deepEqual(
      paths.filter((p) => p.startsWith('ec2/')),
      [
        'ec2/2009-04-04/user-data',
        'ec2/2009-04-04/meta-data.json',
        'ec2/latest/user-data',
        'ec2/latest/meta-data.json',
      ],
    )
    assert.deepEqual(
      paths.filter((p) => p.startsWith('openstack/latest/')),
      [
        'openstack/latest/meta_data.json',
        'openstack/latest/user_data',
        'openstack/latest/vendor_data.json',
        'openstack/latest/network_data.json',
        'openstack/latest/vendor_data2.json',
      ],
    )
    assert.deepEqual(
      paths.filter((p) => p.startsWith('openstack/2012-08-10/')),
      ['openstack/2012-08-10/meta_data.json', 'openstack/2012-08-10/user_data'],
    )
    assert.ok(!paths.includes('openstack/2015-10-15/vendor_data2.json'))
    assert.ok(paths.includes('openstack/2015-10-15/network_data.json'))
    assert.equal(text(files, 'openstack/content/0000'), 'hello')
  })

  it('holds the decoded user data, the instance uuid and hostname, and the vendor and network documents', () => {
    assert.equal(text(files, 'openstack/latest/user_data'), '#!/bin/sh\necho hi\n')
    assert.equal(text(files, 'ec2/latest/user-data'), '#!/bin/sh\necho hi\n')
    const md = JSON.parse(text(files, 'openstack/latest/meta_data.json')!)
    assert.equal(md.uuid, UUID)
    assert.equal(md.hostname, 'web-1.novalocal')
    assert.equal(md.admin_pass, 'pw')
    assert.deepEqual(md.files, [{ path: '/etc/motd', content_path: '/content/0000' }])
    assert.match(text(files, 'openstack/latest/meta_data.json')!, /^\{"uuid": "6f1c2a4e-/)
    assert.equal(text(files, 'openstack/latest/vendor_data2.json'), '{"static": {}}')
    assert.equal(text(files, 'openstack/latest/vendor_data.json'), '{}')
    assert.equal(text(files, 'openstack/latest/network_data.json'), '{}')
    const ec2 = JSON.parse(text(files, 'ec2/latest/meta-data.json')!)
    assert.deepEqual(ec2['public-keys'], { '0': { 'openssh-key': 'ssh-ed25519 AAAA k1@host' } })
  })

  it('writes no user_data without user data, and skips what config_drive_skip_versions names', () => {
    const none = configDriveFiles(
      { ...instance, userData: undefined },
      { ...settings, skipVersions: '2009-04-04' },
    )
    assert.ok(!none.some((f) => f.path.endsWith('user_data') || f.path.endsWith('user-data')))
    assert.deepEqual(
      none.filter((f) => f.path.startsWith('ec2/')).map((f) => f.path),
      ec2AllBut('2009-04-04'),
    )
  })
})

function ec2AllBut(skipped: string): string[] {
  return [
    '1.0',
    '2007-01-19',
    '2007-03-01',
    '2007-08-29',
    '2007-10-10',
    '2007-12-15',
    '2008-02-01',
    '2008-09-01',
    '2009-04-04',
    'latest',
  ]
    .filter((v) => v !== skipped)
    .map((v) => `ec2/${v}/meta-data.json`)
}
