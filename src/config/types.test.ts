import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import type { NovaConfig } from './types.js'

// Type-level checks: this file fails to compile (npx tsc --noEmit) if the inferred types drift.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const checks: [
  Equals<NovaConfig['DEFAULT']['report_interval'], number>,
  Equals<NovaConfig['DEFAULT']['host'], string>,
  Equals<NovaConfig['DEFAULT']['debug'], boolean>,
  Equals<NovaConfig['DEFAULT']['log_file'], string | undefined>,
  Equals<NovaConfig['DEFAULT']['enabled_apis'], readonly string[]>,
  Equals<NovaConfig['database']['connection'], string | undefined>,
  Equals<NovaConfig['api_database']['max_pool_size'], number>,
  Equals<NovaConfig['filter_scheduler']['enabled_filters'], readonly string[]>,
  Equals<NovaConfig['filter_scheduler']['available_filters'], readonly string[]>,
  Equals<NovaConfig['libvirt']['virt_type'], 'kvm' | 'lxc' | 'qemu' | 'parallels' | 'auto'>,
  Equals<NovaConfig['notifications']['notify_on_state_change'], 'vm_state' | 'vm_and_task_state' | undefined>,
  Equals<NovaConfig['oslo_messaging_rabbit']['rabbit_retry_interval'], number>,
] = [true, true, true, true, true, true, true, true, true, true, true, true]

describe('NovaConfig type', () => {
  it('is inferred from the option definitions (checked at compile time)', () => {
    assert.ok(checks.every((c) => c))
  })

  it('is read-only all the way down (checked at compile time)', () => {
    const mutate = (c: NovaConfig): void => {
      // @ts-expect-error sections are readonly
      c.DEFAULT.report_interval = 1
      // @ts-expect-error lists are readonly
      c.filter_scheduler.enabled_filters.push('x')
      // @ts-expect-error unknown options do not exist
      void c.DEFAULT.no_such_option
    }
    assert.equal(typeof mutate, 'function')
  })
})
