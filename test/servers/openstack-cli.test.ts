import { execFile } from 'node:child_process'
import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { openstackCliPresent, startCliCloud, type CliCloud } from '../support/cli-cloud.js'

const haveCli = await openstackCliPresent()

describe(
  '[cli-servers:openstack] openstack server commands against nova-all (fake driver)',
  { skip: haveCli ? false : 'openstack CLI not installed' },
  () => {
    let cloud: CliCloud
    const os = (args: string[]) => cloud.os(cloud.admin, args)

    before(async () => {
      cloud = await startCliCloud('nova-cli-servers-')
    })
    after(async () => cloud?.stop())

    it('boots a server to ACTIVE, lists and shows it, and deletes it', async () => {
      await os(['flavor', 'create', '--vcpus', '1', '--ram', '256', '--disk', '1', 'cli.tiny', '-f', 'json'])
      const disk = path.join(cloud.dir, 'tiny.qcow2')
      const header = Buffer.alloc(4096)
      header.writeUInt32BE(0x514649fb, 0)
      header.writeUInt32BE(3, 4)
      header.writeBigUInt64BE(1n << 30n, 24)
      writeFileSync(disk, Buffer.concat([header, randomBytes(1 << 16)]))
      const image = await os([
        'image',
        'create',
        '--file',
        disk,
        '--disk-format',
        'qcow2',
        '--container-format',
        'bare',
        'cli-image',
        '-f',
        'json',
      ])
      // keypair create prints the new private key, whatever the format asked.
      const key = await promisify(execFile)('openstack', ['keypair', 'create', 'k1'], { env: cloud.admin })
      assert.match(key.stdout, /BEGIN (RSA |OPENSSH )?PRIVATE KEY/)
      const server = await os([
        'server',
        'create',
        '--flavor',
        'cli.tiny',
        '--image',
        image.id,
        '--key-name',
        'k1',
        '--wait',
        'vm1',
        '-f',
        'json',
      ])
      assert.equal(server.status, 'ACTIVE')
      assert.equal(server.name, 'vm1')
      assert.equal(server.key_name, 'k1')
      const list = await os(['server', 'list', '--long', '-f', 'json'])
      assert.deepEqual(
        list.map((s: { Name: string; Status: string }) => [s.Name, s.Status]),
        [['vm1', 'ACTIVE']],
      )
      const shown = await os(['server', 'show', 'vm1', '-f', 'json'])
      assert.equal(shown.id, server.id)
      assert.equal(shown['OS-EXT-STS:vm_state'], 'active')
      await os(['server', 'set', '--property', 'role=web', 'vm1'])
      const withProperty = await os(['server', 'show', 'vm1', '-f', 'json'])
      assert.match(JSON.stringify(withProperty.properties), /role.*web/)
      const events = await os(['server', 'event', 'list', 'vm1', '-f', 'json'])
      assert.ok(
        events.some((e: { Action: string }) => e.Action === 'create'),
        JSON.stringify(events),
      )
      const group = await os(['server', 'group', 'create', '--policy', 'anti-affinity', 'g1', '-f', 'json'])
      assert.equal(group.name, 'g1')
      assert.match(JSON.stringify(group.policies ?? group.policy), /anti-affinity/)
      assert.deepEqual(
        (await os(['server', 'group', 'list', '-f', 'json'])).map((g: { Name: string }) => g.Name),
        ['g1'],
      )
      await os(['server', 'delete', '--wait', 'vm1'])
      assert.deepEqual(await os(['server', 'list', '-f', 'json']), [])
    })

    it('server stop/start/reboot/pause/unpause/suspend/resume/lock/unlock move the server as Nova does', async () => {
      const status = async (want: string) => {
        const deadline = Date.now() + 30_000
        let shown: { status: string } = { status: '' }
        while (Date.now() < deadline) {
          shown = await os(['server', 'show', 'act1', '-f', 'json'])
          if (shown.status === want) return shown
          await new Promise((resolve) => setTimeout(resolve, 300))
        }
        assert.fail(`act1 is ${shown.status}, not ${want}`)
      }
      await os([
        'server',
        'create',
        '--flavor',
        'cli.tiny',
        '--image',
        'cli-image',
        '--wait',
        'act1',
        '-f',
        'json',
      ])
      await os(['server', 'stop', 'act1'])
      await status('SHUTOFF')
      await os(['server', 'start', 'act1'])
      await status('ACTIVE')
      await os(['server', 'reboot', '--hard', 'act1'])
      await status('ACTIVE')
      await os(['server', 'pause', 'act1'])
      await status('PAUSED')
      await os(['server', 'unpause', 'act1'])
      await status('ACTIVE')
      await os(['server', 'suspend', 'act1'])
      await status('SUSPENDED')
      await os(['server', 'resume', 'act1'])
      await status('ACTIVE')
      await os(['server', 'lock', 'act1'])
      await os(['server', 'unlock', 'act1'])
      const actions = (await os(['server', 'event', 'list', 'act1', '-f', 'json'])).map(
        (e: { Action: string }) => e.Action,
      )
      for (const a of ['stop', 'start', 'reboot', 'pause', 'unpause', 'suspend', 'resume', 'lock', 'unlock'])
        assert.ok(actions.includes(a), `${a} in ${actions.join(', ')}`)
      await os(['server', 'delete', '--wait', 'act1'])
    })

    it('server create --min 20 --max 20: all twenty reach ACTIVE, then all are deleted', async () => {
      await os(['quota', 'set', '--instances', '25', '--cores', '25', 'admin'])
      await os([
        'server',
        'create',
        '--flavor',
        'cli.tiny',
        '--image',
        'cli-image',
        '--min',
        '20',
        '--max',
        '20',
        'many',
        '-f',
        'json',
      ])
      const deadline = Date.now() + 120_000
      let statuses: string[] = []
      while (Date.now() < deadline) {
        statuses = (await os(['server', 'list', '-f', 'json'])).map((s: { Status: string }) => s.Status)
        if (statuses.length === 20 && statuses.every((st) => st === 'ACTIVE')) break
        await new Promise((resolve) => setTimeout(resolve, 1000))
      }
      assert.deepEqual(
        statuses,
        Array.from({ length: 20 }, () => 'ACTIVE'),
      )
      const ids = (await os(['server', 'list', '-f', 'json'])).map((s: { ID: string }) => s.ID)
      await os(['server', 'delete', '--wait', ...ids])
      assert.deepEqual(await os(['server', 'list', '-f', 'json']), [])
    })

    it('quota set --instances 2: the third server create fails with Nova quota message', async () => {
      await os(['quota', 'set', '--instances', '2', 'admin'])
      const boot = (name: string) =>
        os(['server', 'create', '--flavor', 'cli.tiny', '--image', 'cli-image', name, '-f', 'json'])
      assert.equal((await boot('q1')).name, 'q1')
      assert.equal((await boot('q2')).name, 'q2')
      await assert.rejects(boot('q3'), (error: { stderr?: string }) => {
        assert.match(
          error.stderr ?? '',
          /Quota exceeded for instances: Requested 1, but already used 2 of 2 instances.*HTTP 403/,
        )
        return true
      })
      const names = (await os(['server', 'list', '-f', 'json'])).map((s: { Name: string }) => s.Name)
      assert.deepEqual(names.sort(), ['q1', 'q2'])
    })
  },
)
