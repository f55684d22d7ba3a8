import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeSpec } from '../testing/fakes.js'
import { aggregateRecord, fakeRequestFilterContext } from '../testing/request-filter-fakes.js'
import { isolateAggregates } from './isolate-aggregates.js'

const gpu = aggregateRecord('gpu', { 'trait:CUSTOM_GPU': 'required' })
const gpuSsd = aggregateRecord('gpu-ssd', {
  'trait:CUSTOM_GPU': 'required',
  'trait:STORAGE_DISK_SSD': 'required',
})
const optional = aggregateRecord('optional', { 'trait:CUSTOM_FAST': 'optional' })
const zone = aggregateRecord('az', { availability_zone: 'az1' })
const all = [gpu, gpuSsd, optional, zone]
const on = { enableIsolatedAggregateFiltering: true }

describe('isolate_aggregates', () => {
  it('does nothing unless enable_isolated_aggregate_filtering', async () => {
    assert.deepEqual(await isolateAggregates.apply(fakeSpec(), fakeRequestFilterContext(all)), [])
  })

  it('forbids every aggregate requiring a trait the request does not', async () => {
    const [c] = await isolateAggregates.apply(fakeSpec(), fakeRequestFilterContext(all, on))
    assert.deepEqual(c!.forbiddenAggregates, [gpu.uuid, gpuSsd.uuid])
  })

  it('lets in aggregates whose required traits the flavor or image requires (all of them)', async () => {
    const flavorGpu = fakeSpec({ flavor: { extraSpecs: { 'trait:CUSTOM_GPU': 'required' } } })
    const [c] = await isolateAggregates.apply(flavorGpu, fakeRequestFilterContext(all, on))
    assert.deepEqual(c!.forbiddenAggregates, [gpuSsd.uuid])
    const both = fakeSpec({
      flavor: { extraSpecs: { 'trait1:CUSTOM_GPU': 'required', 'resources1:VGPU': '1' } },
      image: { properties: { 'trait:STORAGE_DISK_SSD': 'required' } },
    })
    assert.deepEqual(await isolateAggregates.apply(both, fakeRequestFilterContext(all, on)), [])
  })

  it('a forbidden trait does not count as asked for', async () => {
    const spec = fakeSpec({ flavor: { extraSpecs: { 'trait:CUSTOM_GPU': 'forbidden' } } })
    const [c] = await isolateAggregates.apply(spec, fakeRequestFilterContext(all, on))
    assert.deepEqual(c!.forbiddenAggregates, [gpu.uuid, gpuSsd.uuid])
  })
})
