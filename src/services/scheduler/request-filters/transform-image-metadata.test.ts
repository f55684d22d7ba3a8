import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeSpec } from '../testing/fakes.js'
import { fakeRequestFilterContext } from '../testing/request-filter-fakes.js'
import { transformImageMetadata } from './transform-image-metadata.js'

const on = { imageMetadataPrefilter: true }

describe('transform_image_metadata', () => {
  it('does nothing unless image_metadata_prefilter', async () => {
    const spec = fakeSpec({ image: { properties: { hw_disk_bus: 'virtio' } } })
    assert.deepEqual(await transformImageMetadata.apply(spec, fakeRequestFilterContext()), [])
  })

  it('turns hw_* image properties into required traits, one constraint each', async () => {
    const spec = fakeSpec({
      image: {
        properties: {
          hw_disk_bus: 'scsi',
          hw_cdrom_bus: 'sata',
          hw_vif_model: 'e1000e',
          hw_video_model: 'virtio',
          hw_architecture: 'x86_64',
          hw_emulation_architecture: 'aarch64',
          hw_viommu_model: 'smmuv3',
          hw_machine_type: 'q35',
        },
      },
    })
    const constraints = await transformImageMetadata.apply(spec, fakeRequestFilterContext([], on))
    assert.deepEqual(
      constraints
        .map((c) => c.rootRequired)
        .flat()
        .sort(),
      [
        'COMPUTE_ARCH_AARCH64',
        'COMPUTE_GRAPHICS_MODEL_VIRTIO',
        'COMPUTE_NET_VIF_MODEL_E1000E',
        'COMPUTE_STORAGE_BUS_SATA',
        'COMPUTE_STORAGE_BUS_SCSI',
        'COMPUTE_VIOMMU_MODEL_SMMUV3',
        'HW_ARCH_X86_64',
      ],
    )
    const disk = constraints.find((c) => c.rootRequired?.[0] === 'COMPUTE_STORAGE_BUS_SCSI')!
    assert.equal(disk.failure, 'lack COMPUTE_STORAGE_BUS_SCSI (image hw_disk_bus=scsi)')
  })

  it('maps dashes to underscores', async () => {
    const spec = fakeSpec({ image: { properties: { hw_vif_model: 'spapr-vlan' } } })
    const [c] = await transformImageMetadata.apply(spec, fakeRequestFilterContext([], on))
    assert.deepEqual(c!.rootRequired, ['COMPUTE_NET_VIF_MODEL_SPAPR_VLAN'])
  })

  it('one value without a known trait drops them all, logged', async () => {
    const ctx = fakeRequestFilterContext([], on)
    const spec = fakeSpec({ image: { properties: { hw_disk_bus: 'virtio', hw_vif_model: 'nope' } } })
    assert.deepEqual(await transformImageMetadata.apply(spec, ctx), [])
    assert.equal(ctx.errors.length, 1)
  })
})
