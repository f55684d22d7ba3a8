import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeSpec } from '../testing/fakes.js'
import { fakeRequestFilterContext } from '../testing/request-filter-fakes.js'
import { requireImageTypeSupport } from './require-image-type-support.js'

const on = { queryPlacementForImageTypeSupport: true }

describe('require_image_type_support', () => {
  it('does nothing unless query_placement_for_image_type_support', async () => {
    const spec = fakeSpec({ image: { diskFormat: 'qcow2' } })
    assert.deepEqual(await requireImageTypeSupport.apply(spec, fakeRequestFilterContext()), [])
  })

  it('requires COMPUTE_IMAGE_TYPE_<FORMAT> on the compute node', async () => {
    const spec = fakeSpec({ image: { diskFormat: 'qcow2' } })
    const [c] = await requireImageTypeSupport.apply(spec, fakeRequestFilterContext([], on))
    assert.deepEqual(c!.rootRequired, ['COMPUTE_IMAGE_TYPE_QCOW2'])
    assert.equal(c!.failure, 'cannot run qcow2 images')
  })

  it('skips boot from volume, images without a format, and formats without a trait (logged)', async () => {
    const ctx = fakeRequestFilterContext([], on)
    assert.deepEqual(
      await requireImageTypeSupport.apply(fakeSpec({ isBfv: true, image: { diskFormat: 'raw' } }), ctx),
      [],
    )
    assert.deepEqual(await requireImageTypeSupport.apply(fakeSpec(), ctx), [])
    assert.deepEqual(
      await requireImageTypeSupport.apply(fakeSpec({ image: { diskFormat: 'zork' } }), ctx),
      [],
    )
    assert.equal(ctx.errors.length, 1)
  })
})
