import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { ConfigSyntaxError } from '../common/errors/index.js'
import { normalizeSectionName, parseIni } from './ini-parser.js'

const values = (text: string, section: string, key: string): string[] =>
  (parseIni(text, 'nova.conf').get(section)?.options.get(key) ?? []).map((v) => v.value)

const syntaxError = (line: number, reason: RegExp) => (e: unknown) =>
  e instanceof ConfigSyntaxError && e.message.startsWith(`a.conf:${line}: `) && reason.test(e.message)

describe('parseIni (oslo dialect)', () => {
  it('joins continuation lines with a newline and ends them at a blank line', () => {
    const text = '[pci]\nalias = {"a": 1,\n  "b": 2}\n\n[DEFAULT]\nhost = x\n'
    assert.deepEqual(values(text, 'pci', 'alias'), ['{"a": 1,\n"b": 2}'])
    assert.deepEqual(values(text, 'DEFAULT', 'host'), ['x'])
  })

  it('keeps the empty first part of a value continued on the next lines, like oslo', () => {
    const text = '[filter_scheduler]\nenabled_filters =\n\tComputeFilter,\n    ImagePropertiesFilter\n'
    assert.deepEqual(values(text, 'filter_scheduler', 'enabled_filters'), [
      '\nComputeFilter,\nImagePropertiesFilter',
    ])
  })

  it('ends a value at a comment line: an indented line after it is an error', () => {
    assert.throws(
      () => parseIni('[DEFAULT]\nhost = a\n# note\n  b\n', 'a.conf'),
      syntaxError(4, /Unexpected continuation line/),
    )
    assert.throws(() => parseIni('  x = 1\n', 'a.conf'), syntaxError(1, /Unexpected continuation/))
  })

  it('collects repeated keys as a list, in order, also when the section is repeated', () => {
    const text = '[pci]\ndevice_spec = a\ndevice_spec = b\n[DEFAULT]\n[pci]\ndevice_spec = c\n'
    assert.deepEqual(values(text, 'pci', 'device_spec'), ['a', 'b', 'c'])
  })

  it('takes whichever of = and : comes first as the separator', () => {
    assert.deepEqual(values('[DEFAULT]\nhost: node1\n', 'DEFAULT', 'host'), ['node1'])
    assert.deepEqual(values('[d]\nconnection = mysql://u:p@h/db\n', 'd', 'connection'), ['mysql://u:p@h/db'])
    assert.deepEqual(values('[d]\nurl: http://h/?a=b\n', 'd', 'url'), ['http://h/?a=b'])
    assert.deepEqual(values('[d]\nempty =\n', 'd', 'empty'), [''])
  })

  it('keeps # and ; inside values, treats them as comments only at line start, handles CRLF', () => {
    const text = '# top\r\n[DEFAULT]\r\n; note\r\npassword = ab#cd;ef\r\n  # not a comment\r\n'
    assert.deepEqual(values(text, 'DEFAULT', 'password'), ['ab#cd;ef\n# not a comment'])
  })

  it('strips matching quotes around the first line of a value only', () => {
    assert.deepEqual(values('[d]\na = "quoted value"\n', 'd', 'a'), ['quoted value'])
    assert.deepEqual(values("[d]\na = ' x '\n", 'd', 'a'), [' x '])
    assert.deepEqual(values('[d]\na = "half\n', 'd', 'a'), ['"half'])
    assert.deepEqual(values('[d]\na = "a" and "b"\n', 'd', 'a'), ['a" and "b'])
    assert.deepEqual(values('[d]\na = "x\n  y"\n', 'd', 'a'), ['"x\ny"'])
  })

  it('keeps section and key names as written; normalisation lower-cases all sections but DEFAULT', () => {
    const doc = parseIni('[Database]\nConnection = x\n', 'n.conf')
    assert.deepEqual([...doc.keys()], ['Database'])
    assert.deepEqual([...doc.get('Database')!.options.keys()], ['Connection'])
    assert.equal(normalizeSectionName('Database'), 'database')
    assert.equal(normalizeSectionName('DEFAULT'), 'DEFAULT')
    assert.equal(normalizeSectionName('default'), 'default')
  })

  it('records the 1-based line of every value and of each section header', () => {
    const doc = parseIni('\n[DEFAULT]\n\nreport_interval = soon\n  more\n', 'f.conf')
    assert.equal(doc.get('DEFAULT')?.line, 2)
    assert.deepEqual(doc.get('DEFAULT')?.options.get('report_interval'), [
      { value: 'soon\nmore', file: 'f.conf', line: 4 },
    ])
  })

  it('reports syntax errors with file, line and reason', () => {
    assert.throws(() => parseIni('host = x\n', 'a.conf'), syntaxError(1, /Section must be started/))
    assert.throws(() => parseIni('[DEFAULT\nx=1\n', 'a.conf'), syntaxError(1, /must end with \]/))
    assert.throws(() => parseIni('[]\n', 'a.conf'), syntaxError(1, /Empty section name/))
    assert.throws(() => parseIni('[DEFAULT]\njust words\n', 'a.conf'), syntaxError(2, /No ':' or '='/))
    assert.throws(() => parseIni('[DEFAULT]\n= 3\n', 'a.conf'), syntaxError(2, /Key cannot be empty/))
  })
})
