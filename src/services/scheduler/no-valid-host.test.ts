import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { errorFromWire, errorToWire, NoValidHost } from '../../common/errors/index.js'
import { EliminationLog } from './elimination-log.js'
import { noValidHost } from './no-valid-host.js'

describe('noValidHost', () => {
  it('says which steps removed how many hosts, in pipeline order, without host names', () => {
    const placement = new EliminationLog()
    placement.recordMany(
      'placement',
      'lack MEMORY_MB 4096 (largest free 2048)',
      9,
      ['h1', 'h2'],
      'admin words',
    )
    const filters = new EliminationLog()
    filters.record('AvailabilityZoneFilter', 'not in zone az2', 'h10')
    filters.record('AvailabilityZoneFilter', 'not in zone az2', 'h11')
    filters.record('ComputeFilter', 'compute service is down', 'h12')
    const error = noValidHost({
      total: 12,
      requested: 1,
      placed: 0,
      logs: [placement, filters, new EliminationLog()],
    })
    assert.ok(error instanceof NoValidHost)
    assert.equal(
      error.message,
      'No valid host was found. 0 of 12 hosts passed: placement: 9 lack MEMORY_MB 4096 (largest free 2048); ' +
        'AvailabilityZoneFilter: 2 not in zone az2; ComputeFilter: 1 compute service is down.',
    )
    assert.deepEqual(error.details.eliminated, [
      {
        step: 'placement',
        reason: 'lack MEMORY_MB 4096 (largest free 2048)',
        count: 9,
        hosts: ['h1', 'h2'],
        detail: 'admin words',
      },
      { step: 'AvailabilityZoneFilter', reason: 'not in zone az2', count: 2, hosts: ['h10', 'h11'] },
      { step: 'ComputeFilter', reason: 'compute service is down', count: 1, hosts: ['h12'] },
    ])
  })

  it('names the instance that failed in a multi-instance request; no hosts at all', () => {
    const log = new EliminationLog()
    log.record('claim', 'had no room left when claimed', 'h')
    assert.equal(
      noValidHost({ total: 3, requested: 12, placed: 1, logs: [log] }).message,
      'No valid host was found. 0 of 3 hosts passed for the 2nd of 12 instances: claim: 1 had no room left when claimed.',
    )
    assert.equal(
      noValidHost({ total: 0, requested: 1, placed: 0, logs: [] }).message,
      'No valid host was found. There are no compute hosts.',
    )
  })

  it('crosses the bus as itself, details included', () => {
    const log = new EliminationLog()
    log.record('ComputeFilter', 'compute service is down', 'h1')
    const error = errorFromWire(errorToWire(noValidHost({ total: 1, requested: 1, placed: 0, logs: [log] })))
    assert.ok(error instanceof NoValidHost)
    assert.equal(error.status, 500)
    assert.equal(error.details.eliminated?.[0]?.hosts[0], 'h1')
  })
})
