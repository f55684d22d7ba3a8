import { strict as assert } from 'node:assert'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openstackCliPresent, startCliCloud, type CliCloud, type CliJson } from '../support/cli-cloud.js'

const haveCli = await openstackCliPresent()

describe(
  '[cli-image:openstack] openstack image commands against nova-all',
  { skip: haveCli ? false : 'openstack CLI not installed' },
  () => {
    let cloud: CliCloud
    let dir: string
    let admin: NodeJS.ProcessEnv
    let other: NodeJS.ProcessEnv
    const os = (env: NodeJS.ProcessEnv, args: string[]): Promise<CliJson> => cloud.os(env, args)

    before(async () => {
      cloud = await startCliCloud('nova-cli-image-')
      dir = cloud.dir
      admin = cloud.admin
      await os(admin, ['project', 'create', 'other', '-f', 'json'])
      await os(admin, ['user', 'create', '--password', 'pw-other', 'other-user', '-f', 'json'])
      await os(admin, ['role', 'add', '--user', 'other-user', '--project', 'other', 'member'])
      other = { ...cloud.base, OS_USERNAME: 'other-user', OS_PASSWORD: 'pw-other', OS_PROJECT_NAME: 'other' }
    })
    after(async () => cloud?.stop())

    it('creates from a file, lists, shows, sets properties and tags, saves identical bytes, protects, shares and deletes', async () => {
      const source = path.join(dir, 'disk.qcow2')
      const header = Buffer.alloc(4096)
      header.writeUInt32BE(0x514649fb, 0)
      header.writeUInt32BE(3, 4)
      header.writeBigUInt64BE(1n << 30n, 24)
      writeFileSync(source, Buffer.concat([header, randomBytes(1 << 20)]))
      const created = await os(admin, [
        'image',
        'create',
        '--file',
        source,
        '--disk-format',
        'qcow2',
        '--container-format',
        'bare',
        'cli-image',
        '-f',
        'json',
      ])
      const id = created.id as string
      const long = await os(admin, ['image', 'list', '--long', '-f', 'json'])
      const row = long.find((r: { ID: string }) => r.ID === id)
      assert.equal(row.Status, 'active')
      assert.equal(row['Disk Format'], 'qcow2')
      const shown = await os(admin, ['image', 'show', 'cli-image', '-f', 'json'])
      assert.equal(shown.size, (1 << 20) + 4096)
      assert.equal(shown.virtual_size, 1 << 30)

      await os(admin, ['image', 'set', '--property', 'os_distro=debian', '--tag', 'golden', 'cli-image'])
      const set = await os(admin, ['image', 'show', 'cli-image', '-f', 'json'])
      assert.equal(set.properties.os_distro, 'debian')
      assert.deepEqual(set.tags, ['golden'])

      const saved = path.join(dir, 'saved.qcow2')
      await os(admin, ['image', 'save', '--file', saved, 'cli-image'])
      const sha = (f: string) => createHash('sha512').update(readFileSync(f)).digest('hex')
      assert.equal(sha(saved), sha(source))

      await os(admin, ['image', 'set', '--protected', 'cli-image'])
      await assert.rejects(os(admin, ['image', 'delete', 'cli-image']))
      await os(admin, ['image', 'set', '--unprotected', 'cli-image'])

      assert.ok(
        !(await os(other, ['image', 'list', '-f', 'json'])).some((r: { ID: string }) => r.ID === id),
        'invisible to the other project',
      )
      await os(admin, ['image', 'add', 'project', 'cli-image', 'other', '-f', 'json'])
      const members = await os(admin, ['image', 'member', 'list', 'cli-image', '-f', 'json'])
      assert.equal(members[0].Status, 'pending')
      await os(other, ['image', 'set', '--accept', id])
      assert.ok(
        (await os(other, ['image', 'list', '-f', 'json'])).some((r: { ID: string }) => r.ID === id),
        'listed once accepted',
      )
      await assert.rejects(os(other, ['image', 'delete', id]), 'a member cannot delete it')
      await os(admin, ['image', 'delete', 'cli-image'])
      assert.ok(!(await os(admin, ['image', 'list', '-f', 'json'])).some((r: { ID: string }) => r.ID === id))
    })
  },
)
