import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ConfigSyntaxError } from '../common/errors/index.js'
import { parseIni } from './ini-parser.js'

const values = (text: string, section: string, key: string): string[] =>
  (parseIni(text, 'nova.conf').get(section)?.get(key) ?? []).map((v) => v.value)

describe('parseIni (oslo dialect)', () => {
  it('joins continuation lines and ends them at a blank line', () => {
    const text = '[pci]\nalias = {"a": 1,\n  "b": 2}\n\n[DEFAULT]\nhost = x\n'
    assert.deepEqual(values(text, 'pci', 'alias'), ['{"a": 1,\n"b": 2}'])
    assert.deepEqual(values(text, 'DEFAULT', 'host'), ['x'])
  })

  it('collects repeated keys as a list, in order', () => {
    assert.deepEqual(values('[pci]\ndevice_spec = a\ndevice_spec = b\n', 'pci', 'device_spec'), ['a', 'b'])
  })

  it('takes the first of = and : as the separator', () => {
    assert.deepEqual(values('[DEFAULT]\nhost: node1\n', 'DEFAULT', 'host'), ['node1'])
    assert.deepEqual(values('[database]\nconnection = mysql://u:p@h/db\n', 'database', 'connection'), [
      'mysql://u:p@h/db',
    ])
  })

  it('keeps # inside a value, treats # and ; as comments only at line start, strips quotes, handles CRLF', () => {
    const text = '# top\r\n[DEFAULT]\r\n; note\r\npassword = ab#cd\r\nname = "quoted value"\r\n'
    assert.deepEqual(values(text, 'DEFAULT', 'password'), ['ab#cd'])
    assert.deepEqual(values(text, 'DEFAULT', 'name'), ['quoted value'])
  })

  it('records the line of every value', () => {
    const doc = parseIni('[DEFAULT]\n\nreport_interval = soon\n', 'f.conf')
    assert.deepEqual(doc.get('DEFAULT')?.get('report_interval'), [{ value: 'soon', file: 'f.conf', line: 3 }])
  })

  it('reports syntax errors with file and line', () => {
    assert.throws(
      () => parseIni('host = x\n', 'a.conf'),
      (e: Error) => e instanceof ConfigSyntaxError && e.message.startsWith('a.conf:1:'),
    )
    assert.throws(() => parseIni('[DEFAULT\nx=1\n', 'a.conf'), ConfigSyntaxError)
    assert.throws(
      () => parseIni('[DEFAULT]\njust words\n', 'a.conf'),
      (e: Error) => e.message.startsWith('a.conf:2:'),
    )
  })
})
