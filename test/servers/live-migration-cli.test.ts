import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { allInOneConfig } from '../support/all-in-one-config.js'
import { busBackends, RABBIT_URL } from '../support/backends.js'
import { openstackCliPresent, type CliJson } from '../support/cli-cloud.js'
import { startBinary, type RunningBinary } from '../support/spawn-binary.js'
import { uniqueName } from '../support/test-bus.js'

const run = promisify(execFile)
const haveCli = await openstackCliPresent()
const rabbit = (await busBackends()).find((b) => b.name === 'rabbit')!

/**
 * Debian's `openstack` CLI against a nova-all (host cmp-1) and a second nova-compute process (host cmp-2) that
 * share a RabbitMQ broker (a control exchange of their own) and the state path (the admin password).
 */
describe(
  '[cli-live-migration:openstack] server migrate --live-migration, server migration list/abort/force complete on two hosts',
  { skip: !haveCli ? 'openstack CLI not installed' : (rabbit.skip ?? false) },
  () => {
    let dir: string
    const processes: RunningBinary[] = []
    let env: NodeJS.ProcessEnv
    const os = async (args: string[]): Promise<CliJson> => {
      const { stdout } = await run('openstack', args, { env, maxBuffer: 1 << 24 })
      return stdout.trim() === '' ? undefined : JSON.parse(stdout)
    }
    const show = async (name: string): Promise<CliJson> => await os(['server', 'show', name, '-f', 'json'])
    const settledOn = async (name: string, host: string): Promise<CliJson> => {
      const end = Date.now() + 60_000
      for (;;) {
        const s = await show(name)
        if (s['OS-EXT-SRV-ATTR:host'] === host && s['OS-EXT-STS:task_state'] === null) return s
        if (Date.now() > end) throw new Error(`${name} not settled on ${host}: ${JSON.stringify(s)}`)
        await new Promise((r) => setTimeout(r, 250))
      }
    }

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'nova-cli-live-'))
      const state = path.join(dir, 'state')
      const { text, ports } = await allInOneConfig()
      const conf = path.join(dir, 'nova.conf')
      writeFileSync(conf, text)
      const bus = path.join(dir, 'bus.conf')
      writeFileSync(
        bus,
        `[DEFAULT]\nhost = cmp-1\ntransport_url = ${RABBIT_URL}\ncontrol_exchange = ${uniqueName('nova_live_cli')}\n`,
      )
      const second = path.join(dir, 'cmp-2.conf')
      writeFileSync(second, `[DEFAULT]\nhost = cmp-2\n[fake_driver]\nlive_migration_duration_ms = 60000\n`)
      const nova = startBinary('nova-all', [
        '--config-file',
        conf,
        '--config-file',
        bus,
        '--state-path',
        state,
      ])
      processes.push(nova)
      await nova.waitForOutput(/Ctrl-C stops it/, 120_000)
      const compute = startBinary('nova-compute', [
        ...['--config-file', conf, '--config-file', bus, '--config-file', second],
        ...['--state-path', state],
      ])
      processes.push(compute)
      env = {
        PATH: process.env.PATH,
        HOME: dir,
        OS_AUTH_URL: `http://127.0.0.1:${ports.identity}/v3`,
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
        OS_IDENTITY_API_VERSION: '3',
        OS_REGION_NAME: 'RegionOne',
        OS_USERNAME: 'admin',
        OS_PASSWORD: readFileSync(path.join(state, 'admin-password'), 'utf8').trim(),
        OS_PROJECT_NAME: 'admin',
      }
      const end = Date.now() + 120_000
      for (;;) {
        const hosts = ((await os(['hypervisor', 'list', '-f', 'json'])) as CliJson[]).map(
          (h) => h['Hypervisor Hostname'],
        )
        if (hosts.includes('cmp-1') && hosts.includes('cmp-2')) break
        if (compute.child.exitCode !== null) throw new Error(`nova-compute exited: ${compute.stderr()}`)
        if (Date.now() > end) throw new Error(`cmp-2 never reported: ${compute.stderr()}`)
        await new Promise((r) => setTimeout(r, 250))
      }
    })
    after(async () => {
      for (const p of processes.reverse()) {
        p.child.kill('SIGINT')
        await p.exited()
      }
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    })

    /** The server's migration in status `running` (its transfer takes a minute from cmp-2). */
    const running = async (name: string): Promise<CliJson> => {
      const end = Date.now() + 60_000
      for (;;) {
        const list = (await os([
          ...[
            '--os-compute-api-version',
            '2.23',
            'server',
            'migration',
            'list',
            '--server',
            name,
            '-f',
            'json',
          ],
        ])) as CliJson[]
        const m = list.find((x) => x.Status === 'running')
        if (m !== undefined) return m
        if (Date.now() > end) throw new Error(`no running migration of ${name}: ${JSON.stringify(list)}`)
        await new Promise((r) => setTimeout(r, 250))
      }
    }
    const live = (args: string[]) =>
      os(['--os-compute-api-version', '2.30', 'server', 'migrate', '--live-migration', ...args])

    it('live migrate to a host and with the scheduler; abort and force complete; migration list', async () => {
      await os(['flavor', 'create', '--vcpus', '1', '--ram', '256', '--disk', '1', 'lm.tiny', '-f', 'json'])
      const file = path.join(dir, 'lm.raw')
      writeFileSync(file, Buffer.alloc(4096, 1))
      const image = await os([
        ...['image', 'create', '--file', file, '--disk-format', 'raw', '--container-format', 'bare'],
        ...['lm-image', '-f', 'json'],
      ])
      const vm = 'live-mover'
      await os(['server', 'create', '--flavor', 'lm.tiny', '--image', image.id, '--wait', vm, '-f', 'json'])
      // Transfers from cmp-1 are immediate, from cmp-2 they take a minute (its [fake_driver]).
      if ((await show(vm))['OS-EXT-SRV-ATTR:host'] === 'cmp-1') {
        await live(['--host', 'cmp-2', vm])
        assert.equal((await settledOn(vm, 'cmp-2')).status, 'ACTIVE')
      }

      // The scheduler's pick, aborted while it runs: the server stays on cmp-2.
      await live([vm])
      const aborted = await running(vm)
      assert.equal(aborted.Type, 'live-migration')
      await os(['--os-compute-api-version', '2.24', 'server', 'migration', 'abort', vm, String(aborted.Id)])
      assert.equal((await settledOn(vm, 'cmp-2')).status, 'ACTIVE')

      // To cmp-1, forced to complete.
      await live(['--host', 'cmp-1', vm])
      const forced = await running(vm)
      await os([
        ...['--os-compute-api-version', '2.22', 'server', 'migration', 'force', 'complete'],
        ...[vm, String(forced.Id)],
      ])
      assert.equal((await settledOn(vm, 'cmp-1')).status, 'ACTIVE')

      const list = (await os([
        ...['--os-compute-api-version', '2.23', 'server', 'migration', 'list', '--server', vm, '-f', 'json'],
      ])) as CliJson[]
      const byId = new Map(list.map((m) => [m.Id, m]))
      assert.equal(byId.get(aborted.Id)?.Status, 'cancelled', JSON.stringify(list))
      assert.equal(byId.get(forced.Id)?.Status, 'completed', JSON.stringify(list))
      for (const m of list) assert.equal(m.Type, 'live-migration')
      assert.equal(byId.get(forced.Id)?.['Dest Compute'], 'cmp-1')
    })
  },
)
