import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { configDriveRequired } from './instance-spec.js'

describe('configDriveRequired (Nova’s configdrive.required_by)', () => {
  it('the instance’s wish, force_config_drive, or img_config_drive=mandatory', () => {
    assert.equal(configDriveRequired({ config_drive: 'True' }, {}, false), true)
    assert.equal(configDriveRequired({ config_drive: '' }, {}, false), false)
    assert.equal(configDriveRequired({ config_drive: null }, {}, true), true)
    assert.equal(configDriveRequired({ config_drive: '' }, { img_config_drive: 'mandatory' }, false), true)
    assert.equal(configDriveRequired({ config_drive: '' }, { img_config_drive: 'optional' }, false), false)
  })
})
