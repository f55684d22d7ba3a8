import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { fakeContext, fakeHost, fakeSpec } from '../testing/fakes.js'
import { IoOpsWeigher } from './io-ops-weigher.js'
import { weighHosts } from './weigh-hosts.js'

describe('IoOpsWeigher', () => {
  const ctx = fakeContext()
  it('weighs I/O operations with a default multiplier of -1, preferring quiet hosts', () => {
    assert.equal(IoOpsWeigher.weigh(fakeHost({ numIoOps: 3 }), fakeSpec(), ctx), 3)
    assert.equal(IoOpsWeigher.multiplier(fakeHost(), ctx), -1)
    const hosts = [fakeHost({ host: 'busy', numIoOps: 4 }), fakeHost({ host: 'quiet', numIoOps: 1 })]
    const weighed = weighHosts(hosts, fakeSpec(), [IoOpsWeigher], ctx)
    assert.deepEqual(
      weighed.map((w) => [w.host.host, w.weight]),
      [
        ['quiet', -0.25],
        ['busy', -1],
      ],
    )
  })
})
