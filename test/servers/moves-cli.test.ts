import { strict as assert } from 'node:assert'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openstackCliPresent, startCliCloud, type CliCloud } from '../support/cli-cloud.js'

const haveCli = await openstackCliPresent()

describe(
  '[cli-moves:openstack] resize, rebuild, shelve, rescue and image create with the openstack CLI on nova-all',
  { skip: haveCli ? false : 'openstack CLI not installed' },
  () => {
    let cloud: CliCloud
    const os = (args: string[]) => cloud.os(cloud.admin, args)
    const statusOf = async (name: string): Promise<string> =>
      (await os(['server', 'show', name, '-f', 'json'])).status
    const waitFor = async (name: string, want: string): Promise<void> => {
      const end = Date.now() + 30_000
      for (;;) {
        const status = await statusOf(name)
        if (status === want) return
        if (Date.now() > end) throw new Error(`${name} is ${status}, not ${want}`)
        await new Promise((r) => setTimeout(r, 250))
      }
    }

    before(async () => {
      cloud = await startCliCloud('nova-cli-moves-')
    })
    after(async () => cloud?.stop())

    it('one host: resize + confirm and revert, rebuild, shelve/unshelve, rescue/unrescue, server image create', async () => {
      await os(['flavor', 'create', '--vcpus', '1', '--ram', '256', '--disk', '1', 'mv.tiny', '-f', 'json'])
      await os(['flavor', 'create', '--vcpus', '1', '--ram', '512', '--disk', '1', 'mv.small', '-f', 'json'])
      const disk = path.join(cloud.dir, 'mv.qcow2')
      const header = Buffer.alloc(4096)
      header.writeUInt32BE(0x514649fb, 0)
      header.writeUInt32BE(3, 4)
      header.writeBigUInt64BE(1n << 30n, 24)
      writeFileSync(disk, Buffer.concat([header, randomBytes(1 << 14)]))
      const image = await os([
        'image',
        'create',
        '--file',
        disk,
        '--disk-format',
        'qcow2',
        '--container-format',
        'bare',
        'mv-image',
        '-f',
        'json',
      ])
      const vm = 'mover'
      await os(['server', 'create', '--flavor', 'mv.tiny', '--image', image.id, '--wait', vm, '-f', 'json'])

      await os(['server', 'resize', '--flavor', 'mv.small', vm])
      await waitFor(vm, 'VERIFY_RESIZE')
      await os(['server', 'resize', 'confirm', vm])
      await waitFor(vm, 'ACTIVE')
      assert.match(JSON.stringify((await os(['server', 'show', vm, '-f', 'json'])).flavor), /mv\.small/)
      await os(['server', 'resize', '--flavor', 'mv.tiny', vm])
      await waitFor(vm, 'VERIFY_RESIZE')
      await os(['server', 'resize', 'revert', vm])
      await waitFor(vm, 'ACTIVE')
      assert.match(JSON.stringify((await os(['server', 'show', vm, '-f', 'json'])).flavor), /mv\.small/)

      const rebuilt = await os(['server', 'rebuild', '--image', image.id, vm, '-f', 'json'])
      assert.match(rebuilt.status, /REBUILD|ACTIVE/)
      await waitFor(vm, 'ACTIVE')

      await os(['server', 'shelve', vm])
      await waitFor(vm, 'SHELVED_OFFLOADED')
      const shelvedImages = await os(['image', 'list', '--name', `${vm}-shelved`, '-f', 'json'])
      assert.equal(shelvedImages.length, 1, JSON.stringify(shelvedImages))
      await os(['server', 'unshelve', vm])
      await waitFor(vm, 'ACTIVE')

      await os(['server', 'rescue', vm])
      await waitFor(vm, 'RESCUE')
      await os(['server', 'unrescue', vm])
      await waitFor(vm, 'ACTIVE')

      const snap = await os(['server', 'image', 'create', '--name', 'mv-snap', vm, '-f', 'json'])
      assert.equal(snap.name, 'mv-snap')
      const end = Date.now() + 30_000
      while ((await os(['image', 'show', 'mv-snap', '-f', 'json'])).status !== 'active')
        if (Date.now() > end) throw new Error('the snapshot never became active')
        else await new Promise((r) => setTimeout(r, 250))
      await waitFor(vm, 'ACTIVE')

      const events = await os(['server', 'event', 'list', vm, '-f', 'json'])
      const actions = events.map((e: { Action: string }) => e.Action)
      for (const a of ['resize', 'confirmResize', 'revertResize', 'rebuild', 'shelve', 'unshelve', 'rescue'])
        assert.ok(actions.includes(a), `${a} in ${JSON.stringify(actions)}`)
      await os(['server', 'delete', vm])
    })
  },
)
