import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { buildQemuArgv, guestPaths } from './argv.js'
import { writableDisks } from './migration-transfer.js'

const UUID = '6f1c2a4e-0d3b-4b7e-9b3a-1f2e3d4c5b6a'

describe('what a block migration copies', () => {
  it('is every writable local disk of the command line (root, ephemeral, swap), not the config drive', () => {
    const spec = {
      uuid: UUID,
      name: 'instance-0000002a',
      vcpus: 1,
      memoryMb: 128,
      accel: 'tcg' as const,
      paths: guestPaths('/var/lib/nova/instances', UUID),
    }
    assert.deepEqual(writableDisks(buildQemuArgv(spec)), ['disk0'])
    const full = buildQemuArgv({
      ...spec,
      localDisks: { ephemeral: true, swap: true },
      configDrive: { bus: 'ide' },
    })
    assert.deepEqual(writableDisks(full), ['disk0', 'eph0', 'swap0'])
  })
})
