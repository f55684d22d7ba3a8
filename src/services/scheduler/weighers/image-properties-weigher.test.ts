import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { ImagePropertiesWeigher } from './image-properties-weigher.js'

const windows = { os_distro: 'windows', hw_machine_type: 'q35' }
const host = fakeHost({
  instances: [
    { uuid: 'a', imageProperties: { os_distro: 'windows', hw_machine_type: 'q35' } },
    { uuid: 'b', imageProperties: { os_distro: 'windows', hw_machine_type: 'pc' } },
    { uuid: 'c', imageProperties: { os_distro: 'ubuntu' } },
    { uuid: 'd' },
  ],
})
const spec = fakeSpec({ image: { properties: windows } })

describe('ImagePropertiesWeigher', () => {
  it('is off (0) while image_props_weight_multiplier is 0', () => {
    assert.equal(ImagePropertiesWeigher.weigh(host, spec, fakeContext()), 0)
    assert.equal(ImagePropertiesWeigher.multiplier(host, fakeContext()), 0)
  })

  it('counts, evenly, the instances sharing each requested property value', () => {
    const ctx = fakeContext({ imagePropsWeightMultiplier: 1 })
    // os_distro=windows on 2 instances, hw_machine_type=q35 on 1.
    assert.equal(ImagePropertiesWeigher.weigh(host, spec, ctx), 3)
    assert.equal(ImagePropertiesWeigher.weigh(fakeHost(), spec, ctx), 0)
    assert.equal(
      ImagePropertiesWeigher.weigh(host, fakeSpec({ image: { properties: { os_distro: 'rhel' } } }), ctx),
      0,
    )
  })

  it('applies the ratios of image_props_weight_setting, unlisted properties weighing 0', () => {
    const ctx = fakeContext({
      imagePropsWeightMultiplier: 1,
      imagePropsWeightSetting: [
        ['os_distro', 1],
        ['hw_machine_type', -1],
      ],
    })
    assert.equal(ImagePropertiesWeigher.weigh(host, spec, ctx), 2 * 1 + 1 * -1)
    const onlyDistro = fakeContext({
      imagePropsWeightMultiplier: 1,
      imagePropsWeightSetting: [['os_distro', 0.5]],
    })
    assert.equal(ImagePropertiesWeigher.weigh(host, spec, onlyDistro), 1)
  })

  it('compares values as Python strings', () => {
    const ctx = fakeContext({ imagePropsWeightMultiplier: 1 })
    const typed = fakeHost({
      instances: [{ uuid: 'x', imageProperties: { hw_cpu_cores: 4, hw_boot_menu: true } }],
    })
    const req = fakeSpec({ image: { properties: { hw_cpu_cores: '4', hw_boot_menu: 'True' } } })
    assert.equal(ImagePropertiesWeigher.weigh(typed, req, ctx), 2)
  })
})
