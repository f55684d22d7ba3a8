import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { openstackCliPresent, startCliCloud, type CliCloud } from '../support/cli-cloud.js'

const haveCli = await openstackCliPresent()

describe(
  '[cli-placement:openstack] openstack resource provider commands (osc-placement) against nova-all',
  { skip: haveCli ? false : 'openstack CLI not installed' },
  () => {
    let cloud: CliCloud
    let env: NodeJS.ProcessEnv
    const os = (args: string[]) => cloud.os(env, [...args, '-f', 'json'])
    const osQuiet = (args: string[]) => cloud.os(env, args)

    before(async () => {
      cloud = await startCliCloud('nova-cli-placement-')
      env = { ...cloud.admin, OS_PLACEMENT_API_VERSION: '1.39' }
    })
    after(async () => cloud?.stop())

    it('creates providers, sets inventories, traits and aggregates, and lists allocation candidates', async () => {
      const cn1 = await os(['resource', 'provider', 'create', 'cli-cn1'])
      const cn2 = await os(['resource', 'provider', 'create', 'cli-cn2'])
      assert.equal(cn1.name, 'cli-cn1')
      assert.equal(cn1.generation, 0)
      const list = await os(['resource', 'provider', 'list'])
      assert.deepEqual(list.map((p: { name: string }) => p.name).sort(), ['cli-cn1', 'cli-cn2'])

      await os([
        'resource',
        'provider',
        'inventory',
        'set',
        cn1.uuid,
        '--resource',
        'VCPU=8',
        '--resource',
        'MEMORY_MB=4096',
        '--resource',
        'VCPU:allocation_ratio=2.0',
      ])
      await os([
        'resource',
        'provider',
        'inventory',
        'set',
        cn2.uuid,
        '--resource',
        'VCPU=2',
        '--resource',
        'MEMORY_MB=1024',
      ])
      const inventory = await os(['resource', 'provider', 'inventory', 'list', cn1.uuid])
      const vcpu = inventory.find((i: { resource_class: string }) => i.resource_class === 'VCPU')
      assert.equal(vcpu.total, 8)
      assert.equal(vcpu.allocation_ratio, 2)
      assert.equal(
        inventory.find((i: { resource_class: string }) => i.resource_class === 'MEMORY_MB').total,
        4096,
      )

      await os(['resource', 'provider', 'trait', 'set', cn1.uuid, '--trait', 'HW_CPU_X86_AVX2'])
      const traits = await os(['resource', 'provider', 'trait', 'list', cn1.uuid])
      assert.deepEqual(
        traits.map((t: { name: string }) => t.name),
        ['HW_CPU_X86_AVX2'],
      )

      const candidates = await os(['allocation', 'candidate', 'list', '--resource', 'VCPU=1'])
      assert.equal(
        new Set(candidates.map((c: { 'resource provider': string }) => c['resource provider'])).size,
        2,
      )
      const big = await os(['allocation', 'candidate', 'list', '--resource', 'VCPU=4'])
      assert.deepEqual(
        [...new Set(big.map((c: { 'resource provider': string }) => c['resource provider']))],
        [cn1.uuid],
      )
      const avx = await os([
        'allocation',
        'candidate',
        'list',
        '--resource',
        'VCPU=1',
        '--required',
        'HW_CPU_X86_AVX2',
      ])
      assert.deepEqual(
        [...new Set(avx.map((c: { 'resource provider': string }) => c['resource provider']))],
        [cn1.uuid],
      )

      const usages = await os(['resource', 'provider', 'usage', 'show', cn1.uuid])
      assert.equal(usages.find((u: { resource_class: string }) => u.resource_class === 'VCPU').usage, 0)
      await osQuiet(['resource', 'provider', 'delete', cn2.uuid])
      assert.equal((await os(['resource', 'provider', 'list'])).length, 1)
    })
  },
)
