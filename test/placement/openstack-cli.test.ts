import { strict as assert } from 'node:assert'
import { after, before, describe, it } from 'node:test'
import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { openDatabase } from '../../src/db/index.js'
import type { UntypedKysely } from '../../src/db/untyped.js'
import { openstackCliPresent, startCliCloud, type CliCloud } from '../support/cli-cloud.js'
import { runBinary } from '../support/spawn-binary.js'

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
      // nova-all's own fake compute node is a provider too; these assertions look at the test's providers only.
      const ours = (names: { name: string }[]) => names.map((p) => p.name).filter((n) => n.startsWith('cli-'))
      const list = await os(['resource', 'provider', 'list'])
      assert.deepEqual(ours(list).sort(), ['cli-cn1', 'cli-cn2'])

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

      const providersOf = (rows: { 'resource provider': string }[]) =>
        [...new Set(rows.map((c) => c['resource provider']))]
          .filter((u) => u === cn1.uuid || u === cn2.uuid)
          .sort()
      const candidates = await os(['allocation', 'candidate', 'list', '--resource', 'VCPU=1'])
      assert.deepEqual(providersOf(candidates), [cn1.uuid, cn2.uuid].sort())
      const big = await os(['allocation', 'candidate', 'list', '--resource', 'VCPU=4'])
      assert.deepEqual(providersOf(big), [cn1.uuid])
      const avx = await os([
        'allocation',
        'candidate',
        'list',
        '--resource',
        'VCPU=1',
        '--required',
        'HW_CPU_X86_AVX2',
      ])
      assert.deepEqual(providersOf(avx), [cn1.uuid])

      const usages = await os(['resource', 'provider', 'usage', 'show', cn1.uuid])
      assert.equal(usages.find((u: { resource_class: string }) => u.resource_class === 'VCPU').usage, 0)
      await osQuiet(['resource', 'provider', 'delete', cn2.uuid])
      assert.deepEqual(ours(await os(['resource', 'provider', 'list'])), ['cli-cn1'])
    })

    it('nova-manage placement audit reports an allocation of no instance (exit 3), then deletes it (exit 4)', async () => {
      const cn = await os(['resource', 'provider', 'create', 'cli-audit-cn'])
      await os([
        'resource',
        'provider',
        'inventory',
        'set',
        cn.uuid,
        '--resource',
        'VCPU=4',
        '--resource',
        'MEMORY_MB=2048',
      ])
      // The compute node nova-compute would have recorded for this provider, in nova-all's cell database.
      const main = await openDatabase(`sqlite:///${path.join(cloud.dir, 'state', 'nova.sqlite')}`)
      try {
        await (main.kysely as UntypedKysely)
          .insertInto('compute_nodes')
          .values({ uuid: cn.uuid, host: 'cli-audit', hypervisor_hostname: 'cli-audit', deleted: 0 })
          .execute()
      } finally {
        await main.close()
      }
      const consumer = randomUUID()
      await os([
        'resource',
        'provider',
        'allocation',
        'set',
        consumer,
        '--allocation',
        `rp=${cn.uuid},VCPU=1,MEMORY_MB=256`,
        '--project-id',
        'p',
        '--user-id',
        'u',
        '--consumer-type',
        'INSTANCE',
      ])
      const conf = path.join(cloud.dir, 'manage.conf')
      writeFileSync(
        conf,
        `${readFileSync(path.join(cloud.dir, 'nova.conf'), 'utf8')}\n[DEFAULT]\nstate_path = ${path.join(cloud.dir, 'state')}\n`,
      )
      const report = await runBinary('nova-manage', ['--config-file', conf, 'placement', 'audit'])
      assert.equal(report.code, 3, report.stderr)
      assert.match(
        report.stdout,
        new RegExp(`consumer UUID ${consumer} on Resource Provider ${cn.uuid} can be deleted`),
      )
      const fixed = await runBinary('nova-manage', ['--config-file', conf, 'placement', 'audit', '--delete'])
      assert.equal(fixed.code, 4, fixed.stderr)
      const usage = await os(['resource', 'provider', 'usage', 'show', cn.uuid])
      assert.equal(usage.find((u: { resource_class: string }) => u.resource_class === 'VCPU').usage, 0)
      const clean = await runBinary('nova-manage', ['--config-file', conf, 'placement', 'audit', '--verbose'])
      assert.equal(clean.code, 0, clean.stderr)
    })
  },
)
