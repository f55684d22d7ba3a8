import { strict as assert } from 'node:assert'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { ConfigValueInvalid } from '../common/errors/index.js'
import { loadConfig, redactedConfigDump } from './load.js'
import { renderSampleConfig } from './sample.js'
import { SECTIONS } from './options/index.js'
import type { NovaConfig } from './types.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-conf-'))
function file(name: string, text: string): string {
  const p = path.join(dir, name)
  mkdirSync(path.dirname(p), { recursive: true })
  writeFileSync(p, text)
  return p
}

// Type-level checks: these lines fail to compile if the inferred types drift.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const typeChecks: [
  Equals<NovaConfig['DEFAULT']['report_interval'], number>,
  Equals<NovaConfig['database']['connection'], string | undefined>,
  Equals<NovaConfig['filter_scheduler']['enabled_filters'], readonly string[]>,
  Equals<NovaConfig['DEFAULT']['debug'], boolean>,
] = [true, true, true, true]

describe('loadConfig', () => {
  it('gives typed defaults with no files, interpolating $state_path', () => {
    const { config } = loadConfig({ overrides: { DEFAULT: { state_path: '/srv/nova' } } })
    assert.equal(config.DEFAULT.report_interval, 10)
    assert.equal(config.DEFAULT.instances_path, '/srv/nova/instances')
    assert.equal(config.database.connection, undefined)
    assert.equal(config.DEFAULT.osapi_compute_listen_port, 8774)
    assert.ok(typeChecks.every(Boolean))
  })

  it('converts every kind of value', () => {
    const conf = file(
      'kinds.conf',
      [
        '[DEFAULT]',
        'debug = Yes',
        'report_interval = 5',
        'my_ip = 10.1.2.3',
        'enabled_apis = osapi_compute',
        '[filter_scheduler]',
        'ram_weight_multiplier = -2.5',
        'enabled_filters = A, B,C',
        'available_filters = one',
        'available_filters = two',
      ].join('\n'),
    )
    const { config } = loadConfig({ configFiles: [conf] })
    assert.equal(config.DEFAULT.debug, true)
    assert.equal(config.DEFAULT.report_interval, 5)
    assert.equal(config.DEFAULT.my_ip, '10.1.2.3')
    assert.deepEqual(config.DEFAULT.enabled_apis, ['osapi_compute'])
    assert.equal(config.filter_scheduler.ram_weight_multiplier, -2.5)
    assert.deepEqual(config.filter_scheduler.enabled_filters, ['A', 'B', 'C'])
    assert.deepEqual(config.filter_scheduler.available_filters, ['one', 'two'])
  })

  it('layers files, then config dirs in sorted order, then overrides; multi values collect across files', () => {
    const a = file('a.conf', '[DEFAULT]\nhost = from-a\nservice_down_time = 70\n[pci]\nalias = x\n')
    const b = file('b.conf', '[DEFAULT]\nhost = from-b\n[pci]\nalias = y\n')
    file('d/20-last.conf', '[DEFAULT]\nservice_down_time = 90\n')
    file('d/10-first.conf', '[DEFAULT]\nservice_down_time = 80\nreport_interval = 3\n')
    file('d/ignored.txt', '[DEFAULT]\nreport_interval = 99\n')
    const { config, sources } = loadConfig({
      configFiles: [a, b],
      configDirs: [path.join(dir, 'd')],
      overrides: { DEFAULT: { report_interval: '4' } },
    })
    assert.equal(config.DEFAULT.host, 'from-b')
    assert.equal(config.DEFAULT.service_down_time, 90)
    assert.equal(config.DEFAULT.report_interval, 4)
    assert.deepEqual(config.pci.alias, ['x', 'y'])
    assert.equal(sources.length, 4)
  })

  it('names option, file and line for a bad value', () => {
    const bad = file('bad.conf', '[DEFAULT]\n# comment\n\nreport_interval = soon\n')
    assert.throws(
      () => loadConfig({ configFiles: [bad] }),
      (e: unknown) =>
        e instanceof ConfigValueInvalid &&
        e.message.includes(`${bad}:4`) &&
        e.message.includes('report_interval') &&
        e.message.includes('integer'),
    )
  })

  it('refuses out-of-range values and choices', () => {
    assert.throws(
      () => loadConfig({ configFiles: [file('r.conf', '[DEFAULT]\nreport_interval = 0\n')] }),
      /minimum 1/,
    )
    assert.throws(
      () => loadConfig({ configFiles: [file('c.conf', '[libvirt]\nvirt_type = xen\n')] }),
      /one of kvm/,
    )
    assert.throws(
      () => loadConfig({ configFiles: [file('p.conf', '[DEFAULT]\nosapi_compute_listen_port = 70000\n')] }),
      ConfigValueInvalid,
    )
    assert.throws(() => loadConfig({ overrides: { DEFAULT: { debug: 'maybe' } } }), /command line/)
  })

  it('warns about unknown options and sections with file and line, and keeps going', () => {
    const conf = file('u.conf', '[DEFAULT]\nhost = h\nno_such_option = 1\n[no_such_section]\nx = 1\n')
    const { config, warnings } = loadConfig({ configFiles: [conf] })
    assert.equal(config.DEFAULT.host, 'h')
    assert.equal(warnings.length, 2)
    assert.ok(warnings[0]?.includes(`${conf}:3`) && warnings[0].includes('no_such_option'))
    assert.ok(warnings[1]?.includes('no_such_section'))
  })

  it('interpolates references to other options, ${section.option}, and $$', () => {
    const conf = file(
      'i.conf',
      '[DEFAULT]\nstate_path = /data\nlog_dir = $state_path/log\n[database]\nconnection = sqlite:///${DEFAULT.state_path}/n.sqlite\n[vnc]\nnovncproxy_base_url = http://h/$$x\n',
    )
    const { config } = loadConfig({ configFiles: [conf] })
    assert.equal(config.DEFAULT.log_dir, '/data/log')
    assert.equal(config.database.connection, 'sqlite:////data/n.sqlite')
    assert.equal(config.vnc.novncproxy_base_url, 'http://h/$x')
    assert.throws(
      () => loadConfig({ configFiles: [file('j.conf', '[DEFAULT]\nlog_dir = $nope/x\n')] }),
      /unknown reference \$nope/,
    )
  })

  it('returns a deeply frozen result and redacts secrets in the dump', () => {
    const conf = file('s.conf', '[database]\nconnection = mysql+pymysql://nova:hunter2@db/nova\n')
    const { config } = loadConfig({ configFiles: [conf] })
    assert.ok(
      Object.isFrozen(config) &&
        Object.isFrozen(config.DEFAULT) &&
        Object.isFrozen(config.DEFAULT.enabled_apis),
    )
    const dump = redactedConfigDump(config).join('\n')
    assert.ok(dump.includes('database.connection = ****'))
    assert.ok(!dump.includes('hunter2'))
  })
})

describe('renderSampleConfig', () => {
  it('lists every registered option and loads back as an empty configuration', () => {
    const sample = renderSampleConfig()
    for (const [section, opts] of Object.entries(SECTIONS)) {
      assert.ok(sample.includes(`[${section}]`), section)
      for (const name of Object.keys(opts))
        assert.match(sample, new RegExp(`^#${name} = `, 'm'), `${section}.${name}`)
    }
    const { config, warnings } = loadConfig({ configFiles: [file('sample.conf', sample)] })
    assert.deepEqual(warnings, [])
    assert.equal(config.DEFAULT.report_interval, 10)
    assert.match(sample, /#instances_path = \$state_path\/instances/)
  })
})
