import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import {
  ComputeNodeReporter,
  PlacementClient,
  type PlacementTransport,
} from '../../src/services/placement/client.js'
import { placementHarness, type PlacementHarness } from './support.js'

describe('the resource tracker feed (ComputeNodeReporter)', () => {
  let h: PlacementHarness
  let calls: string[]
  let client: PlacementClient
  before(async () => {
    h = await placementHarness()
    const counting: PlacementTransport = async (request) => {
      calls.push(`${request.method} ${request.path}`)
      return h.transport(request)
    }
    client = new PlacementClient(counting)
  })
  after(async () => h.close())

  it('creates the provider with inventories and traits, writes again only what changed, marks disabled nodes', async () => {
    calls = []
    const reporter = new ComputeNodeReporter(client)
    const node = {
      uuid: randomUUID(),
      name: 'rt-node',
      inventories: {
        VCPU: { total: 8, allocation_ratio: 4.0 },
        MEMORY_MB: { total: 16384, reserved: 512 },
        DISK_GB: { total: 100 },
      },
      traits: ['COMPUTE_NODE', 'HW_CPU_X86_AVX2', 'CUSTOM_RT'],
      disabled: false,
    }
    await reporter.report(node)
    const rp = await h.call('GET', `/resource_providers/${node.uuid}`)
    assert.equal(rp.body.name, 'rt-node')
    const inv = (await h.call('GET', `/resource_providers/${node.uuid}/inventories`)).body.inventories
    assert.equal(inv.VCPU.allocation_ratio, 4)
    assert.equal(inv.MEMORY_MB.reserved, 512)
    assert.deepEqual((await client.traitsOf(node.uuid)).sort(), [
      'COMPUTE_NODE',
      'CUSTOM_RT',
      'HW_CPU_X86_AVX2',
    ])

    calls = []
    await reporter.report(node)
    assert.equal(calls.length, 0, `nothing changed: no call at all (${calls.join(', ')})`)

    await reporter.report({
      ...node,
      inventories: { ...node.inventories, DISK_GB: { total: 200 } },
      disabled: true,
    })
    assert.ok(calls.some((c) => c.startsWith('PUT') && c.endsWith('/inventories')))
    assert.equal(
      (await h.call('GET', `/resource_providers/${node.uuid}/inventories/DISK_GB`)).body.total,
      200,
    )
    assert.ok((await client.traitsOf(node.uuid)).includes('COMPUTE_STATUS_DISABLED'))
    await reporter.report(node)
    assert.ok(!(await client.traitsOf(node.uuid)).includes('COMPUTE_STATUS_DISABLED'))

    // An operator's custom trait survives the node's reports; a trait the node stops reporting goes.
    await client.setTraits(node.uuid, [...(await client.traitsOf(node.uuid)), 'CUSTOM_OPERATOR_GOLD'])
    await reporter.report({ ...node, traits: ['COMPUTE_NODE', 'HW_CPU_X86_AVX2'], disabled: true })
    assert.deepEqual((await client.traitsOf(node.uuid)).sort(), [
      'COMPUTE_NODE',
      'COMPUTE_STATUS_DISABLED',
      'CUSTOM_OPERATOR_GOLD',
      'HW_CPU_X86_AVX2',
    ])
  })

  it('retries an inventory write that lost a generation race', async () => {
    const uuid = randomUUID()
    await client.ensureProvider(uuid, 'rt-race')
    let raced = false
    const racing = new PlacementClient(async (request) => {
      if (!raced && request.method === 'PUT' && request.path.endsWith('/inventories')) {
        raced = true
        // Someone else changes the provider between our read and our write.
        await h.call('PUT', `/resource_providers/${uuid}/traits`, {
          traits: [],
          resource_provider_generation: 0,
        })
      }
      return h.transport(request)
    })
    await racing.setInventories(uuid, { VCPU: { total: 2 } })
    assert.ok(raced)
    assert.equal((await h.call('GET', `/resource_providers/${uuid}/inventories/VCPU`)).body.total, 2)
  })

  it('heals its own allocations: adds missing instances, removes those gone, keeps migrations', async () => {
    const reporter = new ComputeNodeReporter(client)
    const node = randomUUID()
    const other = randomUUID()
    for (const [uuid, name] of [
      [node, 'heal-node'],
      [other, 'heal-other'],
    ] as const)
      await reporter.report({ uuid, name, inventories: { VCPU: { total: 16 } }, traits: [], disabled: false })
    const owner = { projectId: 'p', userId: 'u' }
    const [kept, gone, migration, missing, split] = Array.from({ length: 5 }, () => randomUUID())
    await client.claim(kept!, { [node]: { resources: { VCPU: 1 } } }, owner)
    await client.claim(gone!, { [node]: { resources: { VCPU: 2 } } }, owner)
    await client.claim(
      migration!,
      { [node]: { resources: { VCPU: 1 } } },
      { ...owner, consumerType: 'MIGRATION' },
    )
    await client.claim(
      split!,
      { [node]: { resources: { VCPU: 1 } }, [other]: { resources: { VCPU: 1 } } },
      owner,
    )
    const result = await reporter.heal(node, [
      { uuid: kept!, resources: { VCPU: 1 }, ...owner },
      { uuid: missing!, resources: { VCPU: 4 }, ...owner },
    ])
    assert.deepEqual(result.created, [missing])
    assert.deepEqual([...result.removed].sort(), [gone, split].sort())
    assert.deepEqual(Object.keys((await client.allocationsOf(split!)).allocations), [other])
    assert.deepEqual((await h.call('GET', `/resource_providers/${node}/usages`)).body.usages, { VCPU: 6 })
  })
})
