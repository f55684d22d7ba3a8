import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { openstackCliPresent, startCliCloud, type CliCloud } from '../support/cli-cloud.js'

const haveCli = await openstackCliPresent()

type Row = Record<string, unknown>

describe(
  '[cli-compute-admin:openstack] openstack compute service, hypervisor, availability zone, aggregate, quota and limits commands',
  { skip: haveCli ? false : 'openstack CLI not installed' },
  () => {
    let cloud: CliCloud
    const os = (args: string[]) => cloud.os(cloud.admin, [...args, '-f', 'json'])

    before(async () => {
      cloud = await startCliCloud('nova-cli-compute-admin-')
    })
    after(async () => cloud?.stop())

    it('lists compute services and availability zones', async () => {
      const services = (await os(['compute', 'service', 'list'])) as Row[]
      assert.ok(services.some((s) => s.Binary === 'nova-compute' && s.State === 'up'))
      const zones = (await os(['availability', 'zone', 'list', '--compute'])) as Row[]
      assert.ok(zones.some((z) => z['Zone Name'] === 'nova'))
      const hypervisors = (await os(['hypervisor', 'list'])) as Row[]
      assert.equal(hypervisors.length, 1, JSON.stringify(hypervisors))
      assert.equal(hypervisors[0]!.State, 'up')
      assert.equal(hypervisors[0]!['Hypervisor Type'], 'fake')
    })

    it('creates and shows an aggregate in a zone', async () => {
      const created = (await os(['aggregate', 'create', '--zone', 'az2', 'agg1'])) as Row
      assert.equal(created.name, 'agg1')
      assert.equal(created.availability_zone, 'az2')
      const shown = (await os(['aggregate', 'show', 'agg1'])) as Row
      assert.equal(shown.name, 'agg1')
      assert.equal(shown.availability_zone, 'az2')
    })

    it('shows and sets quotas, shows absolute limits', async () => {
      const quota = (await os(['quota', 'show'])) as Row[] | Row
      const text = JSON.stringify(quota)
      assert.match(text, /instances/)
      await cloud.os(cloud.admin, ['quota', 'set', '--instances', '2', 'admin'])
      const after = (await os(['quota', 'show', 'admin'])) as Row[] | Row
      const limit = Array.isArray(after)
        ? after.find((r) => r.Resource === 'instances')?.Limit
        : (after as Row).instances
      assert.equal(limit, 2)
      const limits = (await os(['limits', 'show', '--absolute'])) as Row[]
      const instances = limits.find((l) => l.Name === 'maxTotalInstances')
      assert.equal(instances?.Value, 2)
    })
  },
)
