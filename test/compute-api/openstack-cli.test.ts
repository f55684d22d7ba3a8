import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { openstackCliPresent, startCliCloud, type CliCloud } from '../support/cli-cloud.js'

const run = promisify(execFile)
const haveCli = await openstackCliPresent()

describe(
  '[cli-compute-api:openstack] openstack flavor and keypair commands against nova-all',
  { skip: haveCli ? false : 'openstack CLI not installed' },
  () => {
    let cloud: CliCloud
    const os = (args: string[]) => cloud.os(cloud.admin, [...args, '-f', 'json'])
    const osText = async (args: string[]) =>
      (await run('openstack', args, { env: cloud.admin, maxBuffer: 1 << 20 })).stdout

    before(async () => {
      cloud = await startCliCloud('nova-cli-compute-api-')
    })
    after(async () => cloud?.stop())

    it('creates, lists, shows and sets properties on a flavor', async () => {
      const created = await os(['flavor', 'create', '--vcpus', '1', '--ram', '512', '--disk', '1', 'f1'])
      assert.equal(created.name, 'f1')
      assert.equal(created.vcpus, 1)
      assert.equal(created.ram, 512)
      assert.equal(created.disk, 1)
      const list = await os(['flavor', 'list'])
      assert.ok(list.some((f: { Name: string; RAM: number }) => f.Name === 'f1' && f.RAM === 512))
      await cloud.os(cloud.admin, ['flavor', 'set', '--property', 'hw:cpu_policy=shared', 'f1'])
      const shown = await os(['flavor', 'show', 'f1'])
      assert.equal(shown.name, 'f1')
      assert.equal(shown.id, created.id)
      const properties = shown.properties as Record<string, string> | string
      if (typeof properties === 'string') assert.match(properties, /hw:cpu_policy='?shared/)
      else assert.equal(properties['hw:cpu_policy'], 'shared')
    })

    it('creates a keypair (printing its private key), lists, shows and deletes it', async () => {
      const privateKey = await osText(['keypair', 'create', 'k1'])
      assert.match(privateKey, /-----BEGIN RSA PRIVATE KEY-----/)
      const list = await os(['keypair', 'list'])
      assert.ok(list.some((k: { Name: string }) => k.Name === 'k1'))
      const shown = await os(['keypair', 'show', 'k1'])
      assert.equal(shown.name, 'k1')
      assert.match(shown.fingerprint, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/)
      await cloud.os(cloud.admin, ['keypair', 'delete', 'k1'])
      const after = await os(['keypair', 'list'])
      assert.ok(!after.some((k: { Name: string }) => k.Name === 'k1'))
    })
  },
)
