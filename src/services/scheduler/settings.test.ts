import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { NovaConfig } from '../../config/index.js'
import { parseWeightSetting, settingsFromConfig } from './settings.js'
import { defaultConfig } from './testing/fakes.js'

describe('scheduler settings', () => {
  it("has Nova's defaults", () => {
    const s = settingsFromConfig(defaultConfig())
    assert.equal(s.defaultAvailabilityZone, 'nova')
    assert.equal(s.maxIoOpsPerHost, 8)
    assert.equal(s.maxInstancesPerHost, 50)
    assert.equal(s.restrictIsolatedHostsToIsolatedImages, true)
    assert.equal(s.imagePropertiesDefaultArchitecture, undefined)
    assert.equal(s.aggregateImagePropertiesIsolationSeparator, '.')
    assert.equal(s.ramWeightMultiplier, 1)
    assert.equal(s.ioOpsWeightMultiplier, -1)
    assert.equal(s.numInstancesWeightMultiplier, 0)
    assert.equal(s.hypervisorVersionWeightMultiplier, 1)
    assert.equal(s.imagePropsWeightMultiplier, 0)
    assert.equal(s.pciWeightMultiplier, 1)
    assert.equal(s.buildFailureWeightMultiplier, 1000000)
    assert.equal(s.crossCellMoveWeightMultiplier, 1000000)
    assert.deepEqual(s.metrics, {
      weightSetting: [],
      required: true,
      weightMultiplier: 1,
      weightOfUnavailable: -10000,
    })
    assert.deepEqual(s.ignoredSettings, [])
  })

  it('parses weight settings and reports the invalid elements', () => {
    assert.deepEqual(parseWeightSetting(['a=1', 'b = -2.5', 'c', '=1', 'd=x']), {
      good: [
        ['a', 1],
        ['b ', -2.5],
      ],
      bad: ['c', '=1', 'd=x'],
    })
    const base = defaultConfig()
    const config = {
      ...base,
      metrics: { ...base.metrics, weight_setting: ['cpu.frequency=1.0', 'broken'] },
    } as NovaConfig
    const s = settingsFromConfig(config)
    assert.deepEqual(s.metrics.weightSetting, [['cpu.frequency', 1]])
    assert.deepEqual(s.ignoredSettings, ['ignoring the invalid elements of [metrics]weight_setting: broken'])
  })
})
