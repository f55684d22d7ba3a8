import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeAggregate, fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { AggregateImagePropertiesIsolation } from './aggregate-image-properties-isolation.js'

const windowsHost = fakeHost({ aggregates: [fakeAggregate({ os_type: 'windows', custom: 'a' })] })
const check = (properties: Record<string, unknown>, host = windowsHost, ctx = fakeContext()) =>
  AggregateImagePropertiesIsolation.check(host, fakeSpec({ image: { properties } }), ctx)

describe('AggregateImagePropertiesIsolation', () => {
  it('passes images that do not set the aggregate keys', () => {
    assert.equal(check({}), undefined)
    assert.equal(check({ hw_disk_bus: 'scsi' }), undefined)
  })

  it('requires the image value among the aggregate values', () => {
    assert.equal(check({ os_type: 'windows' }), undefined)
    assert.equal(check({ os_type: 'linux' }), 'image os_type=linux is not allowed by the aggregate')
    const multi = fakeHost({ aggregates: [fakeAggregate({ os_type: 'linux, windows' })] })
    assert.equal(check({ os_type: 'linux' }, multi), undefined)
  })

  it('ignores image properties Nova does not know, and empty values', () => {
    assert.equal(check({ custom: 'b' }), undefined)
    assert.equal(check({ os_type: '' }), undefined)
  })

  it('with a namespace, compares only keys under it', () => {
    const ctx = fakeContext({ aggregateImagePropertiesIsolationNamespace: 'hw' })
    assert.equal(check({ os_type: 'linux' }, windowsHost, ctx), undefined)
    const bus = fakeHost({ aggregates: [fakeAggregate({ hw_disk_bus: 'virtio' })] })
    const underscore = fakeContext({
      aggregateImagePropertiesIsolationNamespace: 'hw',
      aggregateImagePropertiesIsolationSeparator: '_',
    })
    assert.equal(check({ hw_disk_bus: 'scsi' }, bus, ctx), undefined)
    assert.equal(
      check({ hw_disk_bus: 'scsi' }, bus, underscore),
      'image hw_disk_bus=scsi is not allowed by the aggregate',
    )
  })
})
