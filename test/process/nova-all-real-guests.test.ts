import { strict as assert } from 'node:assert'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { adminToken } from '../support/admin-token.js'
import { allInOneConfig, type AllInOnePorts } from '../support/all-in-one-config.js'
import { killGuestsOnExit, TEST_GUEST_MARKER } from '../support/qemu-guest.js'
import { startBinary, type RunningBinary } from '../support/spawn-binary.js'

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

// nova-all on a nova.conf that names no compute_driver: real guests on a host with QEMU and the test guest's
// inputs (.ci/run installs them: never skipped), the fake driver with one line saying how to get real ones when
// QEMU is missing (here: a PATH without it).

const STARTED = /Ctrl-C stops it/

async function stop(nova: RunningBinary): Promise<void> {
  nova.child.kill('SIGINT')
  await nova.exited()
}

/** The admin's calls to the cloud's compute and image APIs. */
async function adminApi(ports: AllInOnePorts, statePath: string) {
  const password = readFileSync(path.join(statePath, 'admin-password'), 'utf8').trim()
  const { token } = await adminToken(`http://127.0.0.1:${ports.identity}`, password)
  const call = async (base: string, method: string, url: string, body?: unknown) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: {
        'x-auth-token': token,
        'openstack-api-version': 'compute 2.79',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await r.text()
    return { status: r.status, body: (text === '' ? undefined : JSON.parse(text)) as Obj }
  }
  return {
    compute: (method: string, url: string, body?: unknown) =>
      call(`http://127.0.0.1:${ports.compute}/v2.1`, method, url, body),
    images: (url: string) => call(`http://127.0.0.1:${ports.image}`, 'GET', url),
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(250)
  }
}

describe('nova-all picks its hypervisor when nova.conf names none', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nova-all-guests-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('with QEMU here: real guests, the test guest registered once as the default image, a server reaches the marker; its cached images go once unused past their age', async () => {
    const { text, ports } = await allInOneConfig({ driver: 'unset' })
    const conf = path.join(dir, 'qemu.conf')
    // The image cache manager every second, unused images removed 2 s after their last use.
    writeFileSync(
      conf,
      `${text}[image_cache]\nmanager_interval = 1\nremove_unused_original_minimum_age_seconds = 2\n`,
    )
    const state = path.join(dir, 'state-qemu')
    const cached = () => readdirSync(path.join(state, 'instances', '_base'))
    killGuestsOnExit(path.join(state, 'instances'))
    const args = ['--config-file', conf, '--state-path', state]
    let nova = startBinary('nova-all', args)
    try {
      await nova.waitForOutput(STARTED, 300_000)
      assert.match(nova.stdout(), /hypervisor\s+qemu\.QemuDriver/)
      const [, imageId] = (await nova.waitForOutput(/image\s+nova-ts-test-guest (\S+)/, 1000)) as string[]
      const api = await adminApi(ports, state)
      const listed = await api.images('/v2/images?name=nova-ts-test-guest')
      assert.deepEqual(
        (listed.body.images as Obj[]).map((i) => [i.id, i.disk_format, i.visibility, i.status]),
        [[imageId, 'ami', 'public', 'active']],
      )
      const kernel = await api.images(`/v2/images/${listed.body.images[0].kernel_id}`)
      assert.equal(kernel.body.disk_format, 'aki')

      const flavor = await api.compute('POST', '/flavors', {
        flavor: { name: 'real.tiny', ram: 128, vcpus: 1, disk: 1 },
      })
      assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
      const created = await api.compute('POST', '/servers', {
        server: { name: 'real', flavorRef: flavor.body.flavor.id, imageRef: imageId, networks: 'none' },
      })
      assert.equal(created.status, 202, JSON.stringify(created.body))
      const id = created.body.server.id as string
      await until('ACTIVE', async () => {
        const s = (await api.compute('GET', `/servers/${id}`)).body.server
        assert.notEqual(s.status, 'ERROR', JSON.stringify(s.fault))
        return s.status === 'ACTIVE' ? s : undefined
      })
      await until('the guest marker', async () => {
        const r = await api.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })
        return new RegExp(`${TEST_GUEST_MARKER} uuid=${id}`).test(r.body.output as string) ? true : undefined
      })
      await sleep(3500) // several passes of the image cache manager, past the age
      assert.equal(cached().length, 3, 'root disk, kernel and ramdisk stay while the server uses them')
      assert.equal((await api.compute('DELETE', `/servers/${id}`)).status, 204)
      await until('the server gone', async () =>
        (await api.compute('GET', `/servers/${id}`)).status === 404 ? true : undefined,
      )
      assert.ok(!existsSync(path.join(state, 'instances', id)), 'no instance folder')
      await until('the unused cached images removed', async () => (cached().length === 0 ? true : undefined))
      await stop(nova)

      nova = startBinary('nova-all', args)
      await nova.waitForOutput(STARTED, 300_000)
      const again = await (await adminApi(ports, state)).images('/v2/images')
      assert.deepEqual(
        (again.body.images as Obj[]).map((i) => i.name as string).sort(),
        ['nova-ts-test-guest', 'nova-ts-test-guest-kernel', 'nova-ts-test-guest-ramdisk'],
        'registered on the first start only',
      )
    } finally {
      await stop(nova)
    }
  })

  it('without QEMU: the fake driver, and one line saying how to get real guests', async () => {
    const { text } = await allInOneConfig({ driver: 'unset' })
    const conf = path.join(dir, 'fake.conf')
    writeFileSync(conf, text)
    // A PATH with node and nothing else: no qemu-system-x86_64, no qemu-img.
    const bin = mkdtempSync(path.join(dir, 'bin-'))
    symlinkSync(process.execPath, path.join(bin, 'node'))
    const nova = startBinary(
      'nova-all',
      ['--config-file', conf, '--state-path', path.join(dir, 'state-fake')],
      {
        PATH: bin,
      },
    )
    try {
      await nova.waitForOutput(STARTED, 180_000)
      const output = nova.stdout() + nova.stderr()
      assert.match(nova.stdout(), /hypervisor\s+fake\.FakeDriver/)
      const lines = output.split('\n').filter((l) => l.includes('runs the fake driver'))
      assert.equal(lines.length, 1, output)
      assert.match(lines[0]!, /lacks qemu-system-x86_64, qemu-img/)
      assert.match(lines[0]!, /apt-get install qemu-system-x86 qemu-utils busybox-static/)
      assert.doesNotMatch(nova.stdout(), /nova-ts-test-guest/)
    } finally {
      await stop(nova)
    }
  })
})

describe(
  'kill -9 of nova-all (and so of its nova-compute) with a real guest running',
  { timeout: 600_000 },
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nova-all-kill9-'))
    after(() => rmSync(dir, { recursive: true, force: true }))

    it('the guest keeps running and the server stays ACTIVE after the restart; a killed QEMU makes it SHUTOFF at the next power sync', async () => {
      const { text, ports } = await allInOneConfig({ driver: 'unset' })
      const conf = path.join(dir, 'nova.conf')
      writeFileSync(conf, text.replace('[DEFAULT]\n', '[DEFAULT]\nsync_power_state_interval = 2\n'))
      const state = path.join(dir, 'state')
      killGuestsOnExit(path.join(state, 'instances'))
      const args = ['--config-file', conf, '--state-path', state]
      let nova = startBinary('nova-all', args)
      try {
        await nova.waitForOutput(STARTED, 300_000)
        const [, imageId] = (await nova.waitForOutput(/image\s+nova-ts-test-guest (\S+)/, 1000)) as string[]
        let api = await adminApi(ports, state)
        const flavor = await api.compute('POST', '/flavors', {
          flavor: { name: 'real.tiny', ram: 128, vcpus: 1, disk: 1 },
        })
        assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
        const created = await api.compute('POST', '/servers', {
          server: { name: 'survivor', flavorRef: flavor.body.flavor.id, imageRef: imageId, networks: 'none' },
        })
        assert.equal(created.status, 202, JSON.stringify(created.body))
        const id = created.body.server.id as string
        const server = async () => (await api.compute('GET', `/servers/${id}`)).body.server as Obj
        const consoleLog = () => readFileSync(path.join(state, 'instances', id, 'console.log'), 'utf8')
        const boots = () => consoleLog().split(`${TEST_GUEST_MARKER} uuid=${id}`).length - 1
        await until('ACTIVE', async () => ((await server()).status === 'ACTIVE' ? true : undefined))
        await until('the guest marker', async () => (boots() === 1 ? true : undefined))
        const pid = Number(readFileSync(path.join(state, 'instances', id, 'qemu.pid'), 'utf8'))
        const alive = () => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(id)
          } catch {
            return false
          }
        }

        nova.child.kill('SIGKILL')
        await nova.exited()
        assert.ok(alive(), 'the guest outlives nova-compute')
        nova = startBinary('nova-all', args)
        await nova.waitForOutput(STARTED, 300_000)
        api = await adminApi(ports, state)
        // Several power-state syncs of the restarted nova-compute: the re-adopted guest stays as it was.
        await sleep(6000)
        const after = await server()
        assert.deepEqual([after.status, after['OS-EXT-STS:power_state']], ['ACTIVE', 1])
        assert.ok(alive(), 'the same QEMU process')
        assert.equal(boots(), 1, 'no second boot')

        process.kill(pid, 'SIGKILL')
        const stopped = await until('SHUTOFF', async () => {
          const s = await server()
          return s.status === 'SHUTOFF' ? s : undefined
        })
        assert.equal(stopped['OS-EXT-STS:power_state'], 4)
        assert.equal((await api.compute('DELETE', `/servers/${id}`)).status, 204)
        await until('the server gone', async () =>
          (await api.compute('GET', `/servers/${id}`)).status === 404 ? true : undefined,
        )
        assert.ok(!existsSync(path.join(state, 'instances', id)), 'no instance folder')
      } finally {
        await stop(nova)
      }
    })
  },
)
