import { ConfigSyntaxError } from '../common/errors/index.js'

/** One value as written in a file, with where it was written (for error messages). */
export interface IniValue {
  readonly value: string
  readonly file: string
  readonly line: number
}

/** section → option → every value given for it, in file order (repeated keys make multi-valued options). */
export type IniDocument = Map<string, Map<string, IniValue[]>>

/**
 * Parses oslo.config's INI dialect (oslo_config/iniparser.py): `#` and `;` start a comment only at the start of a
 * line; the separator is the first `=` or `:`; matching quotes around a value are stripped; an indented line
 * continues the previous value (joined with a newline) and a blank line ends it; a repeated key adds a value.
 * A `#` inside a value is part of the value. Errors are ConfigSyntaxError with file and line.
 */
export function parseIni(text: string, file: string): IniDocument {
  const doc: IniDocument = new Map()
  let section: Map<string, IniValue[]> | undefined
  let last: { values: IniValue[]; index: number } | undefined
  const lines = text.split(/\r?\n/)

  lines.forEach((raw, i) => {
    const line = i + 1
    const fail = (reason: string): never => {
      throw new ConfigSyntaxError({ file, line, reason })
    }
    if (raw.trim() === '') {
      last = undefined
      return
    }
    if (/^[#;]/.test(raw)) return
    if (/^\s/.test(raw)) {
      if (last === undefined) return fail('continuation line without an option before it')
      const previous = last.values[last.index]!
      const joined = previous.value === '' ? raw.trim() : `${previous.value}\n${raw.trim()}`
      last.values[last.index] = { ...previous, value: unquote(joined) }
      return
    }
    if (raw.startsWith('[')) {
      const match = /^\[([^\]]+)\]\s*$/.exec(raw.trimEnd())
      if (match === null) return fail(`malformed section header ${JSON.stringify(raw.trim())}`)
      const name = match[1]!.trim()
      section = doc.get(name) ?? new Map()
      doc.set(name, section)
      last = undefined
      return
    }
    if (section === undefined) return fail('option outside any [section]')
    const sep = raw.search(/[=:]/)
    if (sep < 0) return fail(`expected "name = value", found ${JSON.stringify(raw.trim())}`)
    const key = raw.slice(0, sep).trim()
    if (key === '') return fail('option with an empty name')
    const values = section.get(key) ?? []
    values.push({ value: unquote(raw.slice(sep + 1).trim()), file, line })
    section.set(key, values)
    last = { values, index: values.length - 1 }
  })
  return doc
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0])
    return value.slice(1, -1)
  return value
}
