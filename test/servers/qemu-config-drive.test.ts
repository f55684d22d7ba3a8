import { strict as assert } from 'node:assert'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import type { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { QemuDriver } from '../../src/services/compute/drivers/qemu/index.js'
import { startBuildCloud, until, type BuildCloud, type Obj } from '../support/build-harness.js'
import { openstackCliPresent, startCliCloud, type CliCloud } from '../support/cli-cloud.js'
import { killGuestsOnExit, TEST_GUEST_MARKER, testGuestFiles } from '../support/qemu-guest.js'
import { uploadTestGuest } from '../../src/process/default-image.js'

// Issue 7's first acceptance line: the built-in guest booted through the API with a config drive reaches ACTIVE,
// and its console log shows the marker with its own uuid read from the config drive. Real guests under TCG, never
// skipped (a host without QEMU or genisoimage fails); the CLI part needs Debian's openstack CLI, which CI has.

const run = promisify(execFile)
const haveCli = await openstackCliPresent()

describe(
  'a server with config_drive true on a real QEMU guest (API → nova-compute → guest)',
  { timeout: 300_000 },
  () => {
    let cloud: BuildCloud
    let driver: QemuDriver
    let imageId: string

    before(async () => {
      cloud = await startBuildCloud({ computes: [] })
      const files = await testGuestFiles()
      const admin = cloud.images('ADMIN')
      imageId = (await uploadTestGuest(admin, files, { name: 'cd-guest' })).ami
      killGuestsOnExit(path.join(cloud.dir, 'instances'))
      driver = new QemuDriver({
        instancesPath: path.join(cloud.dir, 'instances'),
        virtType: 'auto',
        fetchImage: (id, file) => admin.downloadTo(id, file),
      })
      // The harness types its computes' drivers as fake ones; any HypervisorDriver serves.
      const compute = cloud.makeCompute('qemu-cd', { driver: driver as unknown as FakeDriver })
      cloud.computes.set('qemu-cd', compute)
      await compute.start()
      const flavor = await cloud.call(
        'POST',
        '/flavors',
        { flavor: { name: 'qemu.cd', id: 'qcd', ram: 128, vcpus: 1, disk: 1 } },
        'ADMIN',
      )
      assert.equal(flavor.status, 200, JSON.stringify(flavor.body))
    })
    after(async () => {
      for (const uuid of await driver.listInstanceUuids()) await driver.destroy({ uuid, name: uuid })
      await cloud.close()
    })

    it('ACTIVE; the console shows the marker with its own uuid from the config drive and its hostname; the ISO goes with the server', async () => {
      const created = await cloud.call('POST', '/servers', {
        server: {
          name: 'cd-real-1',
          flavorRef: 'qcd',
          imageRef: imageId,
          networks: 'none',
          config_drive: true,
          user_data: Buffer.from('#!/bin/sh\necho from user data\n').toString('base64'),
          metadata: { purpose: 'acceptance' },
        },
      })
      assert.equal(created.status, 202, JSON.stringify(created.body))
      const id = created.body.server.id as string
      await cloud.status(id, 'ACTIVE')
      const server = (await cloud.call('GET', `/servers/${id}`, undefined, 'ADMIN', '2.3')).body.server as Obj
      assert.equal(server.config_drive, 'True')
      const hostname = server['OS-EXT-SRV-ATTR:hostname'] as string
      assert.equal(hostname, 'cd-real-1')

      const iso = driver.pathsOf(id).configDrive
      assert.ok(existsSync(iso), 'disk.config while the server runs')
      const md = JSON.parse(
        (await run('isoinfo', ['-R', '-x', '/openstack/latest/meta_data.json', '-i', iso])).stdout,
      )
      assert.equal(md.uuid, id)
      assert.deepEqual(md.meta, { purpose: 'acceptance' })
      const userData = await run('isoinfo', ['-R', '-x', '/openstack/latest/user_data', '-i', iso])
      assert.equal(userData.stdout, '#!/bin/sh\necho from user data\n')

      const marker = new RegExp(`${TEST_GUEST_MARKER} uuid=${id} source=config-drive hostname=${hostname}\\b`)
      await until(
        'the guest marker read from the config drive',
        async () => {
          const r = await cloud.call('POST', `/servers/${id}/action`, {
            'os-getConsoleOutput': { length: 50 },
          })
          assert.equal(r.status, 200, JSON.stringify(r.body))
          return marker.test(r.body.output as string) ? true : undefined
        },
        120_000,
      )

      assert.equal((await cloud.call('DELETE', `/servers/${id}`)).status, 204)
      await until('the server gone', async () =>
        (await cloud.call('GET', `/servers/${id}`)).status === 404 ? true : undefined,
      )
      assert.ok(!existsSync(iso), 'disk.config removed with the server')
      assert.ok(!existsSync(path.dirname(iso)))
    })
  },
)

describe(
  '[cli-config-drive:openstack] openstack server create --config-drive true on nova-all with real guests',
  { skip: haveCli ? false : 'openstack CLI not installed', timeout: 600_000 },
  () => {
    let cloud: CliCloud
    const os = (args: string[]) => cloud.os(cloud.admin, args)

    before(async () => {
      // No compute_driver: nova-all runs QEMU guests and registers the test guest as nova-ts-test-guest.
      cloud = await startCliCloud('nova-cli-cfgdrive-', { driver: 'unset' })
      killGuestsOnExit(path.join(cloud.dir, 'state', 'instances'))
    })
    after(async () => cloud?.stop())

    it('the server is ACTIVE with config_drive True, and console log show has the marker with its uuid from the drive', async () => {
      await os(['flavor', 'create', '--vcpus', '1', '--ram', '128', '--disk', '1', 'cd.tiny', '-f', 'json'])
      const server = await os([
        'server',
        'create',
        '--flavor',
        'cd.tiny',
        '--image',
        'nova-ts-test-guest',
        '--config-drive',
        'true',
        '--wait',
        'cd-cli',
        '-f',
        'json',
      ])
      assert.equal(server.status, 'ACTIVE', JSON.stringify(server))
      const shown = await os(['server', 'show', 'cd-cli', '-f', 'json'])
      assert.equal(shown.config_drive, 'True')
      const marker = new RegExp(
        `${TEST_GUEST_MARKER} uuid=${server.id} source=config-drive hostname=cd-cli\\b`,
      )
      await until(
        'the marker in openstack console log show',
        async () => {
          const { stdout } = await run('openstack', ['console', 'log', 'show', 'cd-cli'], {
            env: cloud.admin,
          })
          return marker.test(stdout) ? true : undefined
        },
        120_000,
      )
      await os(['server', 'delete', '--wait', 'cd-cli'])
      assert.ok(!existsSync(path.join(cloud.dir, 'state', 'instances', server.id as string)))
    })
  },
)
