import { strict as assert } from 'node:assert'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { ConfigFileUnreadable, ConfigValueInvalid } from '../common/errors/index.js'
import { findDefaultConfigDirs, findDefaultConfigFiles, loadConfig, redactedConfigDump } from './load.js'

const dir = mkdtempSync(path.join(tmpdir(), 'nova-conf-'))
function file(name: string, text: string): string {
  const p = path.join(dir, name)
  mkdirSync(path.dirname(p), { recursive: true })
  writeFileSync(p, text)
  return p
}
const invalid = (where: string, option: string, reason: RegExp) => (e: unknown) =>
  e instanceof ConfigValueInvalid &&
  e.message.startsWith(`${where}: `) &&
  e.message.includes(option) &&
  reason.test(e.message)

describe('loadConfig', () => {
  it('gives typed defaults with no files, interpolating $state_path', () => {
    const { config, warnings, sources } = loadConfig({ overrides: { DEFAULT: { state_path: '/srv/nova' } } })
    assert.equal(config.DEFAULT.report_interval, 10)
    assert.equal(config.DEFAULT.instances_path, '/srv/nova/instances')
    assert.equal(config.database.connection, undefined)
    assert.equal(config.DEFAULT.transport_url, 'memory://')
    assert.equal(config.DEFAULT.osapi_compute_listen_port, 8774)
    assert.deepEqual(config.DEFAULT.enabled_apis, ['osapi_compute', 'metadata'])
    assert.deepEqual([warnings, sources], [[], []])
  })

  it('converts every kind of value from a file', () => {
    const conf = file(
      'kinds.conf',
      [
        '[DEFAULT]',
        'debug = Yes',
        'report_interval = 5',
        'my_ip = 10.1.2.3',
        'enabled_apis = osapi_compute',
        'cpu_allocation_ratio: 16.0',
        '[filter_scheduler]',
        'ram_weight_multiplier = -2.5',
        'enabled_filters =',
        '  A,',
        '  B,C',
        'available_filters = one',
        'available_filters = two',
        '[libvirt]',
        'virt_type = auto',
      ].join('\r\n'),
    )
    const { config } = loadConfig({ configFiles: [conf] })
    assert.equal(config.DEFAULT.debug, true)
    assert.equal(config.DEFAULT.report_interval, 5)
    assert.equal(config.DEFAULT.my_ip, '10.1.2.3')
    assert.equal(config.DEFAULT.cpu_allocation_ratio, 16)
    assert.deepEqual(config.DEFAULT.enabled_apis, ['osapi_compute'])
    assert.equal(config.filter_scheduler.ram_weight_multiplier, -2.5)
    assert.deepEqual(config.filter_scheduler.enabled_filters, ['A', 'B', 'C'])
    assert.deepEqual(config.filter_scheduler.available_filters, ['one', 'two'])
    assert.equal(config.libvirt.virt_type, 'auto')
  })

  it('layers files, then config dirs in sorted order, then overrides', () => {
    const a = file('a.conf', '[DEFAULT]\nhost = from-a\nservice_down_time = 70\ndebug = true\n')
    const b = file('b.conf', '[DEFAULT]\nhost = from-b\nhost = from-b-again\n')
    const d10 = file('d/10-first.conf', '[DEFAULT]\nservice_down_time = 80\nreport_interval = 3\n')
    const d20 = file('d/20-last.conf', '[DEFAULT]\nservice_down_time = 90\n')
    file('d/ignored.txt', '[DEFAULT]\nreport_interval = 99\n')
    mkdirSync(path.join(dir, 'd/sub.conf'), { recursive: true })
    const { config, sources } = loadConfig({
      configFiles: [a, b],
      configDirs: [path.join(dir, 'd')],
      overrides: { DEFAULT: { report_interval: '4' } },
    })
    assert.equal(config.DEFAULT.host, 'from-b-again')
    assert.equal(config.DEFAULT.service_down_time, 90)
    assert.equal(config.DEFAULT.report_interval, 4)
    assert.equal(config.DEFAULT.debug, true)
    assert.deepEqual(sources, [a, b, d10, d20])
  })

  it('concatenates multi-valued options across files in order; an override replaces them (oslo)', () => {
    const a = file('m1.conf', '[pci]\nalias = x\nalias = y\n')
    const b = file('m2.conf', '[pci]\nalias = z\n')
    assert.deepEqual(loadConfig({ configFiles: [a, b] }).config.pci.alias, ['x', 'y', 'z'])
    assert.deepEqual(loadConfig({ configFiles: [b, a] }).config.pci.alias, ['z', 'x', 'y'])
    const over = loadConfig({ configFiles: [a, b], overrides: { pci: { alias: ['cli1', 'cli2'] } } })
    assert.deepEqual(over.config.pci.alias, ['cli1', 'cli2'])
  })

  it('names option, file and line for report_interval = soon, and the expected type', () => {
    const bad = file('bad.conf', '[DEFAULT]\n# comment\n\nreport_interval = soon\n')
    assert.throws(
      () => loadConfig({ configFiles: [bad] }),
      invalid(`${bad}:4`, '[DEFAULT] report_interval', /expected an integer value, got "soon"/),
    )
  })

  it('refuses out-of-range values, values outside choices, and bad command-line values', () => {
    const r = file('r.conf', '[DEFAULT]\nreport_interval = 0\n')
    assert.throws(() => loadConfig({ configFiles: [r] }), invalid(`${r}:2`, 'report_interval', /minimum 1/))
    const c = file('c.conf', '[libvirt]\n\nvirt_type = xen\n')
    assert.throws(
      () => loadConfig({ configFiles: [c] }),
      invalid(`${c}:3`, '[libvirt] virt_type', /one of kvm/),
    )
    const p = file('p.conf', '[DEFAULT]\nosapi_compute_listen_port = 70000\n')
    assert.throws(
      () => loadConfig({ configFiles: [p] }),
      invalid(`${p}:2`, 'osapi_compute_listen_port', /65535/),
    )
    assert.throws(
      () => loadConfig({ overrides: { DEFAULT: { debug: 'maybe' } } }),
      invalid('command line:0', '[DEFAULT] debug', /boolean/),
    )
    assert.throws(
      () => loadConfig({ overrides: { DEFAULT: { no_such: '1' } } }),
      invalid('command line:0', 'no_such', /no such option/),
    )
  })

  it('warns about unknown options and sections with file and line, and keeps going', () => {
    const conf = file('u.conf', '[DEFAULT]\nhost = h\nno_such_option = 1\n\n[no_such_section]\nx = 1\n')
    const { config, warnings } = loadConfig({ configFiles: [conf] })
    assert.equal(config.DEFAULT.host, 'h')
    assert.deepEqual(warnings, [
      `${conf}:3: unknown option no_such_option in section [DEFAULT] ignored`,
      `${conf}:5: unknown section [no_such_section] ignored`,
    ])
  })

  it('matches section names case-insensitively except DEFAULT, like oslo', () => {
    const conf = file('case.conf', '[Database]\nconnection = sqlite:////x.db\n[default]\nhost = nope\n')
    const { config, warnings } = loadConfig({ configFiles: [conf] })
    assert.equal(config.database.connection, 'sqlite:////x.db')
    assert.notEqual(config.DEFAULT.host, 'nope')
    assert.deepEqual(warnings, [`${conf}:3: unknown section [default] ignored`])
  })

  it('accepts deprecated names and sections with a warning; the current name wins within a file', () => {
    const old = file('old.conf', '[DEFAULT]\nquota_cores = 7\nvnc_enabled = false\nnovncproxy_port = 6081\n')
    const { config, warnings } = loadConfig({ configFiles: [old] })
    assert.equal(config.quota.cores, 7)
    assert.equal(config.vnc.enabled, false)
    assert.equal(config.vnc.novncproxy_port, 6081)
    assert.equal(warnings.length, 3)
    assert.equal(warnings[0], `${old}:2: [DEFAULT] quota_cores is deprecated, use [quota] cores`)
    const both = file('both.conf', '[quota]\ncores = 9\n[DEFAULT]\nquota_cores = 7\n')
    assert.equal(loadConfig({ configFiles: [both] }).config.quota.cores, 9)
    const later = file('later.conf', '[DEFAULT]\nquota_cores = 5\n')
    assert.equal(loadConfig({ configFiles: [both, later] }).config.quota.cores, 5)
  })

  it('interpolates $name (own section, then DEFAULT), ${section.option}, $$ and \\$, in every kind', () => {
    const conf = file(
      'i.conf',
      [
        '[DEFAULT]',
        'state_path = /data',
        'log_dir = $state_path/log',
        'service_down_time = 30',
        'report_interval = ${service_down_time}',
        '[database]',
        'connection = sqlite:///${DEFAULT.state_path}/n.sqlite',
        'slave_connection = $connection?ro',
        '[vnc]',
        'novncproxy_base_url = http://h/$$x/\\$y/$',
        '[api_database]',
        'connection = ${database.connection}',
      ].join('\n'),
    )
    const { config } = loadConfig({ configFiles: [conf] })
    assert.equal(config.DEFAULT.log_dir, '/data/log')
    assert.equal(config.DEFAULT.instances_path, '/data/instances')
    assert.equal(config.DEFAULT.report_interval, 30)
    assert.equal(config.database.connection, 'sqlite:////data/n.sqlite')
    assert.equal(config.database.slave_connection, 'sqlite:////data/n.sqlite?ro')
    assert.equal(config.api_database.connection, 'sqlite:////data/n.sqlite')
    assert.equal(config.vnc.novncproxy_base_url, 'http://h/$x/$y/$')
  })

  it('refuses unknown references and reference loops, naming the option', () => {
    const j = file('j.conf', '[DEFAULT]\n\nlog_dir = $nope/x\n')
    assert.throws(
      () => loadConfig({ configFiles: [j] }),
      invalid(`${j}:3`, '[DEFAULT] log_dir', /unknown reference \$nope/),
    )
    const loop = file('loop.conf', '[DEFAULT]\nlog_dir = $log_file\nlog_file = $log_dir\n')
    assert.throws(() => loadConfig({ configFiles: [loop] }), /reference loop/)
  })

  it('returns a deeply frozen result and redacts secrets in the dump', () => {
    const conf = file('s.conf', '[database]\nconnection = mysql+pymysql://nova:hunter2@db/nova\n')
    const { config } = loadConfig({ configFiles: [conf] })
    assert.ok(
      Object.isFrozen(config) &&
        Object.isFrozen(config.DEFAULT) &&
        Object.isFrozen(config.DEFAULT.enabled_apis),
    )
    assert.ok(Object.isFrozen(config.filter_scheduler.available_filters))
    assert.throws(() => {
      ;(config.DEFAULT as { report_interval: number }).report_interval = 1
    }, TypeError)
    const dump = redactedConfigDump(config)
    assert.ok(dump.includes('database.connection = ****'))
    assert.ok(dump.includes('api_database.connection = null'))
    assert.ok(dump.includes('DEFAULT.report_interval = 10'))
    assert.ok(!dump.join('\n').includes('hunter2'))
  })

  it('throws ConfigFileUnreadable for a missing file or directory', () => {
    assert.throws(() => loadConfig({ configFiles: [path.join(dir, 'absent.conf')] }), ConfigFileUnreadable)
    assert.throws(() => loadConfig({ configDirs: [path.join(dir, 'absent.d')] }), ConfigFileUnreadable)
  })
})

describe('findDefaultConfigFiles', () => {
  it("follows oslo's search order: ~/.nova/, ~/, /etc/nova/, /etc/, project file then binary file", () => {
    const home = mkdtempSync(path.join(tmpdir(), 'nova-home-'))
    const saved = process.env.HOME
    process.env.HOME = home
    try {
      mkdirSync(path.join(home, '.nova/nova.conf.d'), { recursive: true })
      writeFileSync(path.join(home, '.nova/nova.conf'), '')
      writeFileSync(path.join(home, 'nova.conf'), '')
      writeFileSync(path.join(home, 'nova-compute.conf'), '')
      assert.deepEqual(findDefaultConfigFiles('nova', 'nova-compute'), [
        path.join(home, '.nova/nova.conf'),
        path.join(home, 'nova-compute.conf'),
      ])
      assert.deepEqual(findDefaultConfigFiles('nova', 'nova'), [path.join(home, '.nova/nova.conf')])
      assert.deepEqual(findDefaultConfigDirs('nova')[0], path.join(home, '.nova/nova.conf.d'))
    } finally {
      process.env.HOME = saved
    }
  })
})
