import { strict as assert } from 'node:assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { loadConfig } from './load.js'
import { REGISTRY } from './options/index.js'
import { renderSampleConfig } from './sample.js'

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('renderSampleConfig', () => {
  const sample = renderSampleConfig()

  it('lists every registered section and option as a commented `#name = default` line', () => {
    for (const [section, opts] of Object.entries(REGISTRY)) {
      assert.match(sample, new RegExp(`^\\[${section}\\]$`, 'm'), section)
      for (const name of Object.keys(opts))
        assert.match(sample, new RegExp(`^#${name} =`, 'm'), `${section}.${name}`)
    }
  })

  it("follows oslo-config-generator's layout: help with type, bounds, choices, defaults", () => {
    assert.match(sample, /\(integer value\)\n# Minimum value: 1\n#report_interval = 10\n/)
    assert.match(sample, /# Minimum value: 0\n# Maximum value: 65535\n#osapi_compute_listen_port = 8774\n/)
    assert.match(sample, /# Possible values:\n# kvm - <No description provided>\n/)
    assert.match(sample, /#instances_path = \$state_path\/instances\n/)
    assert.match(sample, /#enabled_apis = osapi_compute,metadata\n/)
    assert.match(sample, /#debug = false\n/)
    assert.match(sample, /#available_filters = nova.scheduler.filters.all_filters\n/)
    assert.match(sample, /# Deprecated group\/name - \[DEFAULT\]\/quota_cores\n/)
    assert.match(sample, /DEPRECATED: Ask placement/)
    const help = sample.split('\n').filter((l) => l.startsWith('# '))
    for (const line of help) assert.ok(line.length <= 70 || !line.slice(2).includes(' '), line)
  })

  it('shows secrets and unset options as <None>, and machine-dependent defaults by their sample default', () => {
    assert.match(sample, /\[keystone_authtoken\][^[]*#password = <None>\n/)
    assert.match(sample, /#connection = <None>\n/)
    assert.match(sample, /#host = <current_hostname>\n/)
    assert.match(sample, /#my_ip = <host_ipv4>\n/)
    assert.doesNotMatch(sample, new RegExp(escape(`#host = ${REGISTRY.DEFAULT!.host!.default as string}\n`)))
  })

  it('loads back with the loader as a valid configuration: defaults, no warnings', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'nova-sample-')), 'nova.conf')
    writeFileSync(file, sample)
    const { config, warnings } = loadConfig({ configFiles: [file] })
    assert.deepEqual(warnings, [])
    assert.deepEqual(config, loadConfig().config)
  })

  it('loads back with every option uncommented (except <None> and empty ones) to the same defaults', () => {
    const uncommented = sample
      .split('\n')
      .map((l) => (/^#[a-z_]+ = ./.test(l) && !l.includes('<') ? l.slice(1) : l))
      .join('\n')
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'nova-sample-')), 'nova.conf')
    writeFileSync(file, uncommented)
    const { config, warnings } = loadConfig({ configFiles: [file] })
    assert.deepEqual(warnings, [])
    assert.deepEqual(config, loadConfig().config)
  })
})
