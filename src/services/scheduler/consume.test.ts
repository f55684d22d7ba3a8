import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { consumeFromRequest } from './consume.js'
import { fakeHost, fakeSpec } from './testing/fakes.js'

describe('consumeFromRequest', () => {
  it('takes RAM, root + ephemeral disk and vCPUs, counts an instance and an I/O op, records the instance and the group host', () => {
    const host = fakeHost({
      host: 'h1',
      freeRamMb: 8192,
      freeDiskMb: 102400,
      vcpusUsed: 1,
      instances: ['old'],
    })
    const hosts: string[] = ['h0']
    const spec = fakeSpec({
      flavor: { vcpus: 2, memoryMb: 4096, rootGb: 10, ephemeralGb: 5, swap: 2048 },
      instanceGroup: { uuid: 'g', policy: 'anti-affinity', rules: {}, hosts, members: [] },
    })
    consumeFromRequest(host, spec, 'new')
    assert.equal(host.freeRamMb, 4096)
    assert.equal(host.freeDiskMb, 102400 - 15 * 1024)
    assert.equal(host.vcpusUsed, 3)
    assert.equal(host.numInstances, 2)
    assert.equal(host.numIoOps, 1)
    assert.deepEqual([...host.instances.keys()], ['old', 'new'])
    assert.deepEqual(hosts, ['h0', 'h1'])
  })
})
