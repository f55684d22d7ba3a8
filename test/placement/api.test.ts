import { strict as assert } from 'node:assert'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { placementHarness, type PlacementHarness } from './support.js'

const AGG = '33333333-3333-3333-3333-333333333333'
let h: PlacementHarness

const newProvider = async (name: string, parent?: string): Promise<string> => {
  const r = await h.call('POST', '/resource_providers', {
    name,
    ...(parent === undefined ? {} : { parent_provider_uuid: parent }),
  })
  assert.equal(r.status, 200 + 1, JSON.stringify(r.body))
  return r.body.uuid as string
}
const setInventory = async (rp: string, inventories: Record<string, object>) => {
  const gen = (await h.call('GET', `/resource_providers/${rp}`)).body.generation
  const r = await h.call('PUT', `/resource_providers/${rp}/inventories`, {
    resource_provider_generation: gen,
    inventories,
  })
  assert.equal(r.status, 200, JSON.stringify(r.body))
}
const allocate = (
  consumer: string,
  allocations: Record<string, Record<string, number>>,
  generation: number | null = null,
) =>
  h.call('PUT', `/allocations/${consumer}`, {
    allocations: Object.fromEntries(
      Object.entries(allocations).map(([rp, resources]) => [rp, { resources }]),
    ),
    project_id: 'proj',
    user_id: 'user',
    consumer_generation: generation,
    consumer_type: 'INSTANCE',
  })

describe('placement API', () => {
  before(async () => {
    h = await placementHarness()
  })
  after(async () => h.close())

  describe('versions, microversions, errors and policy', () => {
    it('answers the version document at / without a token, and negotiates microversions', async () => {
      const root = await h.call('GET', '/', undefined, { token: null })
      assert.equal(root.status, 200)
      assert.equal(root.body.versions[0].max_version, '1.39')
      assert.equal(root.body.versions[0].min_version, '1.0')
      const latest = await h.call('GET', '/resource_providers')
      assert.equal(latest.headers['openstack-api-version'], 'placement 1.39')
      assert.match(String(latest.headers.vary), /openstack-api-version/)
      const none = await h.call('GET', '/resource_providers', undefined, { version: '' })
      assert.equal(none.headers['openstack-api-version'], 'placement 1.0')
      const tooNew = await h.call('GET', '/resource_providers', undefined, { version: '1.40' })
      assert.equal(tooNew.status, 406)
      assert.equal(tooNew.body.errors[0].status, 406)
      assert.equal((await h.call('GET', '/', undefined, { version: 'banana' })).status, 400)
    })

    it('refuses missing tokens (401) and callers without admin or service role (403)', async () => {
      assert.equal((await h.call('GET', '/resource_providers', undefined, { token: null })).status, 401)
      const member = await h.call('GET', '/resource_providers', undefined, { token: 'MEMBER' })
      assert.equal(member.status, 403)
      assert.match(member.body.errors[0].detail, /placement:resource_providers:list/)
      assert.equal((await h.call('GET', '/resource_providers', undefined, { token: 'SERVICE' })).status, 200)
    })

    it('uses the placement error document with codes from 1.23 only', async () => {
      const missing = randomUUID()
      const latest = await h.call('GET', `/resource_providers/${missing}`)
      assert.equal(latest.status, 404)
      assert.equal(latest.body.errors[0].code, 'placement.resource_provider.not_found')
      assert.match(latest.body.errors[0].request_id, /^req-/)
      const old = await h.call('GET', `/resource_providers/${missing}`, undefined, { version: '1.22' })
      assert.equal(old.body.errors[0].code, undefined)
      assert.equal((await h.call('GET', '/no/such/route')).status, 404)
    })
  })

  describe('resource providers', () => {
    it('creates (body from 1.20, Location always), shows, renames and deletes; names and uuids are unique', async () => {
      const uuid = randomUUID()
      const made = await h.call('POST', '/resource_providers', { name: 'rp-crud', uuid })
      assert.equal(made.status, 201)
      assert.equal(made.headers.location, `/resource_providers/${uuid}`)
      assert.equal(made.body.generation, 0)
      assert.equal(made.body.root_provider_uuid, uuid)
      const old = await h.call('POST', '/resource_providers', { name: 'rp-old' }, { version: '1.19' })
      assert.equal(old.status, 201)
      assert.deepEqual(old.body, {})
      const dupName = await h.call('POST', '/resource_providers', { name: 'rp-crud' })
      assert.equal(dupName.status, 409)
      assert.equal(dupName.body.errors[0].code, 'placement.duplicate_name')
      assert.equal((await h.call('POST', '/resource_providers', { name: 'other', uuid })).status, 409)
      const renamed = await h.call('PUT', `/resource_providers/${uuid}`, { name: 'rp-renamed' })
      assert.equal(renamed.status, 200)
      assert.equal(renamed.body.name, 'rp-renamed')
      assert.equal((await h.call('POST', '/resource_providers', { name: 'x', bogus: 1 })).status, 400)
      assert.equal((await h.call('POST', '/resource_providers', { name: '' })).status, 400)
      assert.equal((await h.call('DELETE', `/resource_providers/${uuid}`)).status, 204)
      assert.equal((await h.call('GET', `/resource_providers/${uuid}`)).status, 404)
    })

    it('builds nested trees, refuses deleting a parent, re-parents only from 1.37 and never into a loop', async () => {
      const root = await newProvider('tree-root')
      const child = await newProvider('tree-child', root)
      const grandchild = await newProvider('tree-grandchild', child)
      const shown = await h.call('GET', `/resource_providers/${grandchild}`)
      assert.equal(shown.body.parent_provider_uuid, child)
      assert.equal(shown.body.root_provider_uuid, root)
      const del = await h.call('DELETE', `/resource_providers/${root}`)
      assert.equal(del.status, 409)
      assert.equal(del.body.errors[0].code, 'placement.resource_provider.cannot_delete_parent')
      const other = await newProvider('tree-other')
      const early = await h.call(
        'PUT',
        `/resource_providers/${child}`,
        { name: 'tree-child', parent_provider_uuid: other },
        { version: '1.36' },
      )
      assert.equal(early.status, 400)
      const loop = await h.call('PUT', `/resource_providers/${child}`, {
        name: 'tree-child',
        parent_provider_uuid: grandchild,
      })
      assert.equal(loop.status, 400)
      const moved = await h.call('PUT', `/resource_providers/${child}`, {
        name: 'tree-child',
        parent_provider_uuid: other,
      })
      assert.equal(moved.status, 200)
      assert.equal(moved.body.root_provider_uuid, other)
      // The whole subtree moved with it.
      assert.equal((await h.call('GET', `/resource_providers/${grandchild}`)).body.root_provider_uuid, other)
      const inTree = await h.call('GET', `/resource_providers?in_tree=${other}`)
      assert.deepEqual(
        inTree.body.resource_providers.map((r: { uuid: string }) => r.uuid).sort(),
        [other, child, grandchild].sort(),
      )
    })

    it('filters by name, uuid, member_of (in:, !), resources and required traits', async () => {
      const a = await newProvider('filter-a')
      const b = await newProvider('filter-b')
      await setInventory(a, { VCPU: { total: 4 } })
      await setInventory(b, { VCPU: { total: 1 } })
      await h.call('PUT', `/resource_providers/${a}/aggregates`, {
        aggregates: [AGG],
        resource_provider_generation: 1,
      })
      await h.call('PUT', `/resource_providers/${a}/traits`, {
        traits: ['HW_CPU_X86_AVX2'],
        resource_provider_generation: 2,
      })
      const names = async (query: string) =>
        (await h.call('GET', `/resource_providers?${query}`)).body.resource_providers
          .map((r: { name: string }) => r.name)
          .filter((n: string) => n.startsWith('filter-'))
          .sort()
      assert.deepEqual(await names('name=filter-b'), ['filter-b'])
      assert.deepEqual(await names(`uuid=${a}`), ['filter-a'])
      assert.deepEqual(await names(`member_of=in:${AGG},${randomUUID()}`), ['filter-a'])
      assert.deepEqual(await names(`member_of=!${AGG}`), ['filter-b'])
      assert.deepEqual(await names('resources=VCPU:2'), ['filter-a'])
      assert.deepEqual(await names('resources=VCPU:1'), ['filter-a', 'filter-b'])
      assert.deepEqual(await names('required=HW_CPU_X86_AVX2'), ['filter-a'])
      assert.deepEqual(await names('required=!HW_CPU_X86_AVX2'), ['filter-b'])
      assert.equal((await h.call('GET', '/resource_providers?required=NOT_A_TRAIT')).status, 400)
      assert.equal((await h.call('GET', '/resource_providers?resources=VCPU:x')).status, 400)
      assert.equal(
        (await h.call('GET', '/resource_providers?resources=VCPU:1', undefined, { version: '1.3' })).status,
        400,
      )
    })
  })

  describe('inventories', () => {
    it('puts, shows, adds and deletes inventories, guarded by the provider generation', async () => {
      const rp = await newProvider('inv-rp')
      const put = await h.call('PUT', `/resource_providers/${rp}/inventories`, {
        resource_provider_generation: 0,
        inventories: { VCPU: { total: 8, allocation_ratio: 4.0 }, MEMORY_MB: { total: 2048, reserved: 512 } },
      })
      assert.equal(put.status, 200)
      assert.equal(put.body.resource_provider_generation, 1)
      assert.deepEqual(put.body.inventories.VCPU, {
        allocation_ratio: 4,
        max_unit: 2147483647,
        min_unit: 1,
        reserved: 0,
        step_size: 1,
        total: 8,
      })
      const stale = await h.call('PUT', `/resource_providers/${rp}/inventories`, {
        resource_provider_generation: 0,
        inventories: {},
      })
      assert.equal(stale.status, 409)
      assert.equal(stale.body.errors[0].code, 'placement.concurrent_update')
      const added = await h.call('POST', `/resource_providers/${rp}/inventories`, {
        resource_class: 'DISK_GB',
        total: 100,
      })
      assert.equal(added.status, 201)
      assert.equal(added.body.resource_provider_generation, 2)
      assert.equal(
        (
          await h.call('POST', `/resource_providers/${rp}/inventories`, {
            resource_class: 'DISK_GB',
            total: 1,
          })
        ).status,
        409,
      )
      const one = await h.call('GET', `/resource_providers/${rp}/inventories/MEMORY_MB`)
      assert.equal(one.body.reserved, 512)
      const updated = await h.call('PUT', `/resource_providers/${rp}/inventories/DISK_GB`, {
        resource_provider_generation: 2,
        total: 200,
      })
      assert.equal(updated.status, 200)
      assert.equal(updated.body.total, 200)
      assert.equal((await h.call('DELETE', `/resource_providers/${rp}/inventories/DISK_GB`)).status, 204)
      assert.equal((await h.call('DELETE', `/resource_providers/${rp}/inventories/DISK_GB`)).status, 404)
      assert.equal(
        (await h.call('DELETE', `/resource_providers/${rp}/inventories`, undefined, { version: '1.4' }))
          .status,
        404,
      )
      assert.equal((await h.call('DELETE', `/resource_providers/${rp}/inventories`)).status, 204)
      assert.deepEqual((await h.call('GET', `/resource_providers/${rp}/inventories`)).body.inventories, {})
    })

    it('validates inventories: reserved against total (equal allowed from 1.26), unknown classes, bad fields', async () => {
      const rp = await newProvider('inv-bad')
      const put = (inv: object, version = 'latest') =>
        h.call(
          'PUT',
          `/resource_providers/${rp}/inventories`,
          { resource_provider_generation: 0, inventories: { VCPU: inv } },
          { version },
        )
      assert.equal((await put({ total: 4, reserved: 5 })).status, 400)
      assert.equal((await put({ total: 4, reserved: 4 }, '1.25')).status, 400)
      assert.equal((await put({ total: 0 })).status, 400)
      assert.equal((await put({ total: 4, min_unit: 3, max_unit: 2 })).status, 400)
      assert.equal((await put({ total: 4, allocation_ratio: 0 })).status, 400)
      assert.equal((await put({ total: 4, colour: 'red' })).status, 400)
      const unknown = await h.call('PUT', `/resource_providers/${rp}/inventories`, {
        resource_provider_generation: 0,
        inventories: { CUSTOM_NOPE: { total: 1 } },
      })
      assert.equal(unknown.status, 400)
      assert.equal((await put({ total: 4, reserved: 4 })).status, 200)
    })

    it('refuses to remove an inventory class that has allocations (placement.inventory.inuse)', async () => {
      const rp = await newProvider('inv-inuse')
      await setInventory(rp, { VCPU: { total: 4 }, MEMORY_MB: { total: 1024 } })
      assert.equal((await allocate(randomUUID(), { [rp]: { VCPU: 1 } })).status, 204)
      const gen = (await h.call('GET', `/resource_providers/${rp}`)).body.generation
      const r = await h.call('PUT', `/resource_providers/${rp}/inventories`, {
        resource_provider_generation: gen,
        inventories: { MEMORY_MB: { total: 1024 } },
      })
      assert.equal(r.status, 409)
      assert.equal(r.body.errors[0].code, 'placement.inventory.inuse')
      assert.equal((await h.call('DELETE', `/resource_providers/${rp}/inventories/VCPU`)).status, 409)
      const delRp = await h.call('DELETE', `/resource_providers/${rp}`)
      assert.equal(delRp.status, 409)
      assert.equal(delRp.body.errors[0].code, 'placement.resource_provider.inuse')
    })
  })

  describe('resource classes, traits, aggregates', () => {
    it('lists standard classes and manages custom ones', async () => {
      const list = await h.call('GET', '/resource_classes')
      assert.equal(list.body.resource_classes[0].name, 'VCPU')
      assert.equal((await h.call('POST', '/resource_classes', { name: 'CUSTOM_GOLD' })).status, 201)
      assert.equal((await h.call('POST', '/resource_classes', { name: 'CUSTOM_GOLD' })).status, 409)
      assert.equal((await h.call('POST', '/resource_classes', { name: 'GOLD' })).status, 400)
      assert.equal((await h.call('PUT', '/resource_classes/CUSTOM_SILVER')).status, 201)
      assert.equal((await h.call('PUT', '/resource_classes/CUSTOM_SILVER')).status, 204)
      assert.equal((await h.call('GET', '/resource_classes/CUSTOM_SILVER')).body.name, 'CUSTOM_SILVER')
      assert.equal((await h.call('PUT', '/resource_classes/VCPU')).status, 400)
      assert.equal((await h.call('DELETE', '/resource_classes/VCPU')).status, 400)
      const renamed = await h.call(
        'PUT',
        '/resource_classes/CUSTOM_GOLD',
        { name: 'CUSTOM_PLATINUM' },
        { version: '1.6' },
      )
      assert.equal(renamed.status, 200)
      assert.equal((await h.call('GET', '/resource_classes/CUSTOM_GOLD')).status, 404)
      assert.equal((await h.call('DELETE', '/resource_classes/CUSTOM_PLATINUM')).status, 204)
      assert.equal((await h.call('GET', '/resource_classes', undefined, { version: '1.1' })).status, 404)
    })

    it('lists standard traits, manages custom ones and replaces a provider trait set', async () => {
      const avx = await h.call('GET', '/traits?name=startswith:HW_CPU_X86_AVX')
      assert.ok(avx.body.traits.includes('HW_CPU_X86_AVX2'))
      assert.ok(avx.body.traits.every((t: string) => t.startsWith('HW_CPU_X86_AVX')))
      assert.equal((await h.call('PUT', '/traits/CUSTOM_FAST')).status, 201)
      assert.equal((await h.call('PUT', '/traits/CUSTOM_FAST')).status, 204)
      assert.equal((await h.call('PUT', '/traits/FAST')).status, 400)
      assert.equal((await h.call('GET', '/traits/CUSTOM_FAST')).status, 204)
      assert.equal((await h.call('DELETE', '/traits/HW_CPU_X86_AVX2')).status, 400)
      const rp = await newProvider('traits-rp')
      const set = await h.call('PUT', `/resource_providers/${rp}/traits`, {
        traits: ['CUSTOM_FAST', 'STORAGE_DISK_SSD'],
        resource_provider_generation: 0,
      })
      assert.equal(set.status, 200)
      assert.deepEqual(set.body, {
        traits: ['CUSTOM_FAST', 'STORAGE_DISK_SSD'],
        resource_provider_generation: 1,
      })
      assert.equal(
        (
          await h.call('PUT', `/resource_providers/${rp}/traits`, {
            traits: ['CUSTOM_NOPE'],
            resource_provider_generation: 1,
          })
        ).status,
        400,
      )
      assert.equal(
        (
          await h.call('PUT', `/resource_providers/${rp}/traits`, {
            traits: [],
            resource_provider_generation: 0,
          })
        ).status,
        409,
      )
      assert.equal((await h.call('DELETE', '/traits/CUSTOM_FAST')).status, 409)
      assert.deepEqual(
        (await h.call('GET', '/traits?name=in:CUSTOM_FAST,CUSTOM_X&associated=true')).body.traits,
        ['CUSTOM_FAST'],
      )
      assert.equal((await h.call('DELETE', `/resource_providers/${rp}/traits`)).status, 204)
      assert.equal((await h.call('DELETE', '/traits/CUSTOM_FAST')).status, 204)
    })

    it('sets aggregates as a list before 1.19 and with a generation after', async () => {
      const rp = await newProvider('agg-rp')
      const old = await h.call('PUT', `/resource_providers/${rp}/aggregates`, [AGG], { version: '1.18' })
      assert.equal(old.status, 200)
      assert.deepEqual(old.body, { aggregates: [AGG] })
      const stale = await h.call('PUT', `/resource_providers/${rp}/aggregates`, {
        aggregates: [],
        resource_provider_generation: 0,
      })
      assert.equal(stale.status, 409)
      const ok = await h.call('PUT', `/resource_providers/${rp}/aggregates`, {
        aggregates: [],
        resource_provider_generation: 1,
      })
      assert.deepEqual(ok.body, { aggregates: [], resource_provider_generation: 2 })
      assert.equal(
        (await h.call('GET', `/resource_providers/${rp}/aggregates`, undefined, { version: '1.0' })).status,
        404,
      )
    })
  })

  describe('allocations and usages', () => {
    it('writes, reads and deletes a consumer with consumer generations; capacity and unit limits hold', async () => {
      const rp = await newProvider('alloc-rp')
      await setInventory(rp, {
        VCPU: { total: 2, allocation_ratio: 2.0, max_unit: 3 },
        MEMORY_MB: { total: 1024, reserved: 512, step_size: 256 },
      })
      const c = randomUUID()
      assert.equal((await allocate(c, { [rp]: { VCPU: 3, MEMORY_MB: 256 } })).status, 204)
      const got = await h.call('GET', `/allocations/${c}`)
      assert.deepEqual(got.body.allocations[rp].resources, { MEMORY_MB: 256, VCPU: 3 })
      assert.equal(got.body.consumer_generation, 1)
      assert.equal(got.body.project_id, 'proj')
      assert.equal(got.body.consumer_type, 'INSTANCE')
      const stale = await allocate(c, { [rp]: { VCPU: 1 } }, null)
      assert.equal(stale.status, 409)
      assert.equal(stale.body.errors[0].code, 'placement.concurrent_update')
      assert.equal((await allocate(c, { [rp]: { VCPU: 2 } }, 1)).status, 204)
      // 4 VCPU capacity, 2 used: 3 more is too many; a unit over max_unit or off-step is a 400.
      const over = await allocate(randomUUID(), { [rp]: { VCPU: 3 } })
      assert.equal(over.status, 409)
      assert.match(over.body.errors[0].detail, /exceed the capacity/)
      assert.equal((await allocate(randomUUID(), { [rp]: { MEMORY_MB: 100 } })).status, 400)
      assert.equal((await allocate(randomUUID(), { [rp]: { DISK_GB: 1 } })).status, 409)
      assert.equal((await allocate(randomUUID(), { [randomUUID()]: { VCPU: 1 } })).status, 400)
      const usages = await h.call('GET', `/resource_providers/${rp}/usages`)
      assert.deepEqual(usages.body.usages, { MEMORY_MB: 0, VCPU: 2 })
      const list = await h.call('GET', `/resource_providers/${rp}/allocations`)
      assert.deepEqual(Object.keys(list.body.allocations), [c])
      assert.equal((await h.call('DELETE', `/allocations/${c}`)).status, 204)
      assert.equal((await h.call('DELETE', `/allocations/${c}`)).status, 404)
      assert.deepEqual((await h.call('GET', `/allocations/${c}`)).body, { allocations: {} })
    })

    it('accepts the list form before 1.12 and requires project/user from 1.8', async () => {
      const rp = await newProvider('alloc-old')
      await setInventory(rp, { VCPU: { total: 4 } })
      const c = randomUUID()
      const body = { allocations: [{ resource_provider: { uuid: rp }, resources: { VCPU: 1 } }] }
      assert.equal((await h.call('PUT', `/allocations/${c}`, body, { version: '1.7' })).status, 204)
      assert.equal(
        (await h.call('PUT', `/allocations/${randomUUID()}`, body, { version: '1.8' })).status,
        400,
      )
      const full = await h.call(
        'PUT',
        `/allocations/${randomUUID()}`,
        { ...body, project_id: 'p', user_id: 'u' },
        { version: '1.11' },
      )
      assert.equal(full.status, 204)
      const read = await h.call('GET', `/allocations/${c}`, undefined, { version: '1.12' })
      assert.equal(read.body.project_id, '00000000-0000-0000-0000-000000000000')
    })

    it('POST /allocations writes several consumers atomically: one failure writes none', async () => {
      const rp = await newProvider('alloc-post')
      await setInventory(rp, { VCPU: { total: 2 } })
      const [a, b] = [randomUUID(), randomUUID()]
      const write = (amountB: number) =>
        h.call('POST', '/allocations', {
          [a]: {
            allocations: { [rp]: { resources: { VCPU: 1 } } },
            project_id: 'p',
            user_id: 'u',
            consumer_generation: null,
            consumer_type: 'INSTANCE',
          },
          [b]: {
            allocations: { [rp]: { resources: { VCPU: amountB } } },
            project_id: 'p',
            user_id: 'u',
            consumer_generation: null,
            consumer_type: 'MIGRATION',
          },
        })
      assert.equal((await write(2)).status, 409)
      assert.deepEqual((await h.call('GET', `/allocations/${a}`)).body.allocations, {})
      assert.equal((await write(1)).status, 204)
      assert.equal((await h.call('GET', `/allocations/${b}`)).body.consumer_type, 'MIGRATION')
      const usages = await h.call('GET', '/usages?project_id=p')
      assert.equal(usages.body.usages.INSTANCE.consumer_count >= 1, true)
      assert.equal(usages.body.usages.MIGRATION.VCPU, 1)
      const flat = await h.call('GET', '/usages?project_id=p&user_id=u', undefined, { version: '1.9' })
      assert.equal(typeof flat.body.usages.VCPU, 'number')
      assert.equal((await h.call('GET', '/usages')).status, 400)
    })
  })

  describe('allocation candidates', () => {
    let cn: string
    before(async () => {
      // A compute node with two NUMA children (VCPU, MEMORY_MB) each with an SR-IOV PF; disk on the root.
      cn = await newProvider('cand-cn')
      await setInventory(cn, { DISK_GB: { total: 100 } })
      await h.call('PUT', `/resource_providers/${cn}/aggregates`, {
        aggregates: [AGG],
        resource_provider_generation: 1,
      })
      await h.call('PUT', `/resource_providers/${cn}/traits`, {
        traits: ['HW_CPU_X86_AVX2'],
        resource_provider_generation: 2,
      })
      for (const n of [0, 1]) {
        const numa = await newProvider(`cand-numa${n}`, cn)
        await setInventory(numa, { VCPU: { total: 4 }, MEMORY_MB: { total: 2048 } })
        const pf = await newProvider(`cand-pf${n}`, numa)
        await setInventory(pf, { SRIOV_NET_VF: { total: 8 } })
        await h
          .call('PUT', `/resource_providers/${pf}/traits`, {
            traits: [n === 0 ? 'CUSTOM_PHYSNET_A' : 'CUSTOM_PHYSNET_B'],
            resource_provider_generation: 1,
          })
          .then(async (r) => {
            if (r.status === 400) {
              await h.call('PUT', `/traits/CUSTOM_PHYSNET_A`)
              await h.call('PUT', `/traits/CUSTOM_PHYSNET_B`)
              await h.call('PUT', `/resource_providers/${pf}/traits`, {
                traits: [n === 0 ? 'CUSTOM_PHYSNET_A' : 'CUSTOM_PHYSNET_B'],
                resource_provider_generation: 1,
              })
            }
          })
      }
    })

    it('spreads the unsuffixed group over the tree and summarises the whole tree', async () => {
      const r = await h.call('GET', `/allocation_candidates?resources=VCPU:1,DISK_GB:10&in_tree=${cn}`)
      assert.equal(r.status, 200)
      const reqs = r.body.allocation_requests as { allocations: Record<string, unknown> }[]
      assert.equal(reqs.length, 2, JSON.stringify(r.body.allocation_requests))
      for (const req of reqs) {
        assert.deepEqual((req.allocations as Record<string, { resources: object }>)[cn]!.resources, {
          DISK_GB: 10,
        })
      }
      assert.equal(Object.keys(r.body.provider_summaries).length, 5)
      const root = r.body.provider_summaries[cn]
      assert.deepEqual(root.resources.DISK_GB, { capacity: 100, used: 0 })
      assert.deepEqual(root.traits, ['HW_CPU_X86_AVX2'])
      assert.equal(root.root_provider_uuid, cn)
    })

    it('places granular groups on single providers; isolate keeps them apart; same_subtree ties them', async () => {
      const none = await h.call(
        'GET',
        `/allocation_candidates?resources1=VCPU:2&in_tree1=${cn}&resources2=SRIOV_NET_VF:1&in_tree2=${cn}&group_policy=none`,
      )
      assert.equal(none.status, 200, JSON.stringify(none.body))
      // 2 NUMA choices for the VCPU × 2 PFs for the VF.
      assert.equal(none.body.allocation_requests.length, 4)
      const subtree = await h.call(
        'GET',
        `/allocation_candidates?resources_CPU=VCPU:2&in_tree_CPU=${cn}&resources_NET=SRIOV_NET_VF:1&group_policy=none&same_subtree=_CPU,_NET`,
      )
      assert.equal(subtree.status, 200, JSON.stringify(subtree.body))
      assert.equal(subtree.body.allocation_requests.length, 2)
      for (const req of subtree.body.allocation_requests) {
        assert.deepEqual(Object.keys(req.mappings).sort(), ['_CPU', '_NET'])
        const [numa] = req.mappings._CPU
        const [pf] = req.mappings._NET
        assert.equal((await h.call('GET', `/resource_providers/${pf}`)).body.parent_provider_uuid, numa)
      }
      const missingPolicy = await h.call('GET', `/allocation_candidates?resources1=VCPU:1&resources2=VCPU:1`)
      assert.equal(missingPolicy.status, 400)
      const isolate = await h.call(
        'GET',
        `/allocation_candidates?in_tree1=${cn}&resources1=VCPU:1&resources2=VCPU:1&in_tree2=${cn}&group_policy=isolate`,
      )
      assert.equal(isolate.body.allocation_requests.length, 2)
      for (const req of isolate.body.allocation_requests) assert.equal(Object.keys(req.allocations).length, 2)
      const physnet = await h.call(
        'GET',
        `/allocation_candidates?in_tree1=${cn}&resources1=SRIOV_NET_VF:1&required1=CUSTOM_PHYSNET_B`,
      )
      assert.equal(physnet.body.allocation_requests.length, 1)
    })

    it('honours required/forbidden traits, member_of, limit, and the pre-1.12 list form', async () => {
      const count = async (query: string) =>
        (await h.call('GET', `/allocation_candidates?in_tree=${cn}&${query}`)).body.allocation_requests.length
      // Unsuffixed required traits are matched on the providers that give resources; root_required on the root.
      assert.equal(await count('resources=VCPU:1&required=HW_CPU_X86_AVX2'), 0)
      assert.equal(await count('resources=VCPU:1,DISK_GB:1&required=HW_CPU_X86_AVX2'), 2)
      assert.equal(await count('resources=VCPU:1&root_required=HW_CPU_X86_AVX2'), 2)
      assert.equal(await count('resources=VCPU:1&root_required=!HW_CPU_X86_AVX2'), 0)
      assert.equal(await count('resources=VCPU:1,DISK_GB:1&required=!HW_CPU_X86_AVX2'), 0)
      assert.equal(await count(`resources=VCPU:1&member_of=${AGG}`), 2)
      assert.equal(await count(`resources=VCPU:1&member_of=!${AGG}`), 0)
      assert.equal(await count('resources=VCPU:1&limit=1'), 1)
      assert.equal(await count('resources=VCPU:5'), 0)
      const old = await h.call('GET', `/allocation_candidates?resources=DISK_GB:1`, undefined, {
        version: '1.10',
      })
      assert.equal(old.status, 200)
      assert.ok(Array.isArray(old.body.allocation_requests[0].allocations))
      assert.equal(
        (await h.call('GET', '/allocation_candidates?resources=VCPU:1', undefined, { version: '1.9' }))
          .status,
        404,
      )
      assert.equal(
        (await h.call('GET', '/allocation_candidates?resources=VCPU:1&required=NOPE_TRAIT')).status,
        400,
      )
      assert.equal((await h.call('GET', '/allocation_candidates?resources=CUSTOM_NOPE:1')).status, 400)
      assert.equal((await h.call('GET', '/allocation_candidates?resources=VCPU:0')).status, 400)
    })

    it('counts existing allocations against capacity', async () => {
      const numa0 = (await h.call('GET', '/resource_providers?name=cand-numa0')).body.resource_providers[0]
        .uuid
      const c = randomUUID()
      assert.equal((await allocate(c, { [numa0]: { VCPU: 4 } })).status, 204)
      const r = await h.call('GET', `/allocation_candidates?in_tree=${cn}&resources=VCPU:1`)
      assert.equal(r.body.allocation_requests.length, 1)
      assert.deepEqual(r.body.provider_summaries[numa0].resources.VCPU, { capacity: 4, used: 4 })
      await h.call('DELETE', `/allocations/${c}`)
    })
  })

  describe('reshaper', () => {
    it('moves inventory and allocations from a root to a new child in one step', async () => {
      const root = await newProvider('reshape-root')
      await setInventory(root, { VCPU: { total: 8 } })
      const c = randomUUID()
      assert.equal((await allocate(c, { [root]: { VCPU: 2 } })).status, 204)
      const child = await newProvider('reshape-child', root)
      const rootGen = (await h.call('GET', `/resource_providers/${root}`)).body.generation
      const body = {
        inventories: {
          [root]: { inventories: {}, resource_provider_generation: rootGen },
          [child]: { inventories: { VCPU: { total: 8 } }, resource_provider_generation: 0 },
        },
        allocations: {
          [c]: {
            allocations: { [child]: { resources: { VCPU: 2 } } },
            project_id: 'proj',
            user_id: 'user',
            consumer_generation: 1,
            consumer_type: 'INSTANCE',
          },
        },
      }
      assert.equal((await h.call('POST', '/reshaper', body, { version: '1.29' })).status, 404)
      const stale = await h.call('POST', '/reshaper', {
        ...body,
        inventories: { ...body.inventories, [root]: { inventories: {}, resource_provider_generation: 0 } },
      })
      assert.equal(stale.status, 409)
      assert.deepEqual((await h.call('GET', `/allocations/${c}`)).body.allocations[root].resources, {
        VCPU: 2,
      })
      const ok = await h.call('POST', '/reshaper', body)
      assert.equal(ok.status, 204, JSON.stringify(ok.body))
      assert.deepEqual((await h.call('GET', `/resource_providers/${root}/inventories`)).body.inventories, {})
      assert.deepEqual(Object.keys((await h.call('GET', `/allocations/${c}`)).body.allocations), [child])
    })
  })
})
