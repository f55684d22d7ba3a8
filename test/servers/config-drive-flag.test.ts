import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import type { SpawnRequest } from '../../src/services/compute/driver/index.js'
import { FakeDriver } from '../../src/services/compute/drivers/fake/fake-driver.js'
import { startBuildCloud, type BuildCloud, type Obj } from '../support/build-harness.js'

// The config drive from the API to the driver: the server's config_drive ("True" or ""), the spawn request's
// configDrive and the metadata fields a config drive is written from, and [DEFAULT] force_config_drive.

describe('[config-drive] config_drive from the API to the driver (fake compute)', () => {
  let cloud: BuildCloud
  const driver = new FakeDriver({ nodename: 'cd-1', vcpus: 8, memoryMb: 8192, localGb: 100 })
  const spawned = new Map<string, SpawnRequest>()
  const spawn = driver.spawn.bind(driver)
  driver.spawn = async (request) => {
    spawned.set(request.instance.uuid, request)
    await spawn(request)
  }

  const startCompute = async (forceConfigDrive: boolean) => {
    await cloud.computes.get('cd-1')?.stop(1000)
    const compute = cloud.makeCompute('cd-1', { driver, forceConfigDrive })
    cloud.computes.set('cd-1', compute)
    await compute.start()
  }
  const boot = async (server: Obj): Promise<Obj> => {
    const created = await cloud.call('POST', '/servers', {
      server: { flavorRef: '1', imageRef: cloud.imageId, networks: 'none', ...server },
    })
    assert.equal(created.status, 202, JSON.stringify(created.body))
    return await cloud.status(created.body.server.id as string, 'ACTIVE')
  }

  before(async () => {
    cloud = await startBuildCloud({ computes: [] })
    await startCompute(false)
  })
  after(async () => {
    await cloud.close()
  })

  it('config_drive true: the server shows "True", the driver gets configDrive and the metadata fields', async () => {
    const key = await cloud.call('POST', '/os-keypairs', { keypair: { name: 'cdk' } })
    assert.equal(key.status, 200, JSON.stringify(key.body))
    const server = await boot({
      name: 'with-drive',
      config_drive: true,
      key_name: 'cdk',
      metadata: { a: 'b' },
    })
    assert.equal(server.config_drive, 'True')
    const request = spawned.get(server.id)!
    assert.equal(request.instance.configDrive, true)
    assert.equal(request.instance.hostname, 'with-drive')
    assert.equal(request.instance.launchIndex, 0)
    assert.equal(request.instance.flavorName, 'm1.tiny')
    assert.deepEqual(request.instance.keyPair, { name: 'cdk', publicKey: key.body.keypair.public_key })
    assert.deepEqual(request.instance.metadata, { a: 'b' })
    assert.equal(typeof request.instance.internalId, 'number')
    assert.match(request.instance.reservationId ?? '', /^r-[0-9a-z]{8}$/)
  })

  it('no config_drive or false: "" and no drive; "True" asks for one too; another value is 400 (a boolean)', async () => {
    const plain = await boot({ name: 'plain' })
    assert.equal(plain.config_drive, '')
    assert.equal(spawned.get(plain.id)!.instance.configDrive, false)
    const string = await boot({ name: 'string', config_drive: 'True' })
    assert.equal(string.config_drive, 'True')
    assert.equal(spawned.get(string.id)!.instance.configDrive, true)
    const off = await boot({ name: 'off', config_drive: 'false' })
    assert.equal(off.config_drive, '')
    const bad = await cloud.call('POST', '/servers', {
      server: {
        name: 'bad',
        flavorRef: '1',
        imageRef: cloud.imageId,
        networks: 'none',
        config_drive: 'maybe',
      },
    })
    assert.equal(bad.status, 400)
    assert.match(bad.body.badRequest.message, /Invalid input for field\/attribute config_drive/)
  })

  it('[DEFAULT] force_config_drive: every build gets a drive, and the server records it ("True")', async () => {
    await startCompute(true)
    const forced = await boot({ name: 'forced' })
    assert.equal(spawned.get(forced.id)!.instance.configDrive, true)
    assert.equal(forced.config_drive, 'True')
  })
})
