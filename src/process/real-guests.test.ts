import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { chooseAllInOneDriver } from './real-guests.js'

/** A loaded configuration that sets exactly `set` (`section.option`). */
const loaded = (...set: string[]) => ({
  isSet: (section: string, name: string) => set.includes(`${section}.${name}`),
})

describe("nova-all's choice of hypervisor", () => {
  const all = async () => []
  const noQemu = async () => ['qemu-system-x86_64', 'qemu-img']

  it('QEMU and the test guest inputs present, no compute_driver: qemu.QemuDriver with virt_type auto', async () => {
    const choice = await chooseAllInOneDriver(loaded(), all)
    assert.deepEqual(choice.overrides, {
      DEFAULT: { compute_driver: 'qemu.QemuDriver' },
      libvirt: { virt_type: 'auto' },
    })
    assert.equal(choice.notice?.level, 'info')
  })

  it('a virt_type in nova.conf is kept', async () => {
    const choice = await chooseAllInOneDriver(loaded('libvirt.virt_type'), all)
    assert.deepEqual(choice.overrides, { DEFAULT: { compute_driver: 'qemu.QemuDriver' } })
  })

  it('an explicit compute_driver wins, whatever the host has (nothing probed, nothing said)', async () => {
    let probed = false
    const choice = await chooseAllInOneDriver(loaded('DEFAULT.compute_driver'), async () => {
      probed = true
      return []
    })
    assert.deepEqual(choice, { overrides: {} })
    assert.equal(probed, false)
  })

  it('without QEMU: the fake driver (no override) and a warning naming what is missing and the apt-get line', async () => {
    const choice = await chooseAllInOneDriver(loaded(), noQemu)
    assert.deepEqual(choice.overrides, {})
    assert.equal(choice.notice?.level, 'warn')
    assert.match(choice.notice!.message, /lacks qemu-system-x86_64, qemu-img/)
    assert.match(choice.notice!.message, /apt-get install qemu-system-x86 qemu-utils busybox-static/)
  })
})
