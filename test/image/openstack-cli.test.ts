import { strict as assert } from 'node:assert'
import { createHash, randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../support/free-port.js'
import { startBinary, type RunningBinary } from '../support/spawn-binary.js'

const run = promisify(execFile)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CliJson = any
const inCi = process.env.CI === 'true' || process.env.CI === '1'
const haveCli = await run('openstack', ['--version']).then(
  () => true,
  () => false,
)
if (!haveCli && inCi)
  throw new Error('the openstack CLI (python3-openstackclient) is missing; .ci/run installs it')

describe(
  '[cli-image:openstack] openstack image commands against nova-all',
  { skip: haveCli ? false : 'openstack CLI not installed' },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nova-cli-image-'))
    let nova: RunningBinary
    let admin: NodeJS.ProcessEnv
    let other: NodeJS.ProcessEnv
    const os = async (env: NodeJS.ProcessEnv, args: string[]): Promise<CliJson> => {
      const { stdout } = await run('openstack', args, { env, maxBuffer: 1 << 24 })
      return stdout.trim() === '' ? undefined : JSON.parse(stdout)
    }

    before(async () => {
      const identityPort = await freePort()
      const conf = path.join(dir, 'nova.conf')
      writeFileSync(
        conf,
        `[DEFAULT]\nmy_ip = 127.0.0.1\nosapi_compute_listen = 127.0.0.1\nosapi_compute_listen_port = ${await freePort()}\n` +
          `[identity]\nlisten = 127.0.0.1\nport = ${identityPort}\npassword_hash_rounds = 4\n[image]\nlisten = 127.0.0.1\nport = ${await freePort()}\n`,
      )
      nova = startBinary('nova-all', ['--config-file', conf, '--state-path', path.join(dir, 'state')])
      await nova.waitForOutput(/Ctrl-C stops it/, 60_000)
      const base = {
        PATH: process.env.PATH,
        HOME: dir,
        OS_AUTH_URL: `http://127.0.0.1:${identityPort}/v3`,
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
        OS_IDENTITY_API_VERSION: '3',
        OS_REGION_NAME: 'RegionOne',
      }
      admin = {
        ...base,
        OS_USERNAME: 'admin',
        OS_PASSWORD: readFileSync(path.join(dir, 'state', 'admin-password'), 'utf8').trim(),
        OS_PROJECT_NAME: 'admin',
      }
      await os(admin, ['project', 'create', 'other', '-f', 'json'])
      await os(admin, ['user', 'create', '--password', 'pw-other', 'other-user', '-f', 'json'])
      await os(admin, ['role', 'add', '--user', 'other-user', '--project', 'other', 'member'])
      other = { ...base, OS_USERNAME: 'other-user', OS_PASSWORD: 'pw-other', OS_PROJECT_NAME: 'other' }
    })
    after(async () => {
      nova?.child.kill('SIGINT')
      await nova?.exited()
      rmSync(dir, { recursive: true, force: true })
    })

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
