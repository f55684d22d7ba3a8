import { ConfigSyntaxError } from '../common/errors/index.js'

/** One value as written in a file, with where it was written (for error messages). */
export interface IniValue {
  readonly value: string
  readonly file: string
  /** 1-based line of the `key = value` line (continuation lines belong to it). */
  readonly line: number
}

/** A section as written: its name as in the file, and option → every value given, in order. */
export interface IniSection {
  /** Line of the first `[name]` header of this section in the file. */
  readonly line: number
  readonly options: Map<string, IniValue[]>
}

/** Section name as written → its options. A section appearing twice in a file is merged. */
export type IniDocument = Map<string, IniSection>

/**
 * Parses oslo.config's INI dialect, rule for rule as `oslo_config/iniparser.py`:
 * - lines are right-trimmed (so CRLF works); a blank line ends a multi-line value;
 * - a line starting with `#` or `;` is a comment (and ends a multi-line value); `#` elsewhere is part of the value;
 * - `[name]` starts a section (names kept as written; see normalizeSectionName);
 * - the separator is whichever of `=` and `:` comes first; key and value are trimmed; if the value starts and
 *   ends with the same quote (`"` or `'`), those quotes are removed;
 * - a line starting with a space or tab continues the previous value: the parts are joined with `\n`;
 * - a key repeated in a section adds a value (MultiStrOpt); keys are case-sensitive.
 * Throws ConfigSyntaxError {file, line, reason} on: an option before any section, a section header without
 * `]` or without a name, a line with neither `=` nor `:`, an empty key, a continuation with nothing to continue.
 * Pure: no I/O, never partially returns.
 */
export function parseIni(text: string, file: string): IniDocument {
  const doc: IniDocument = new Map()
  let section: IniSection | undefined
  let pending: { key: string; parts: string[]; line: number } | undefined
  const fail = (line: number, reason: string, content: string): never => {
    throw new ConfigSyntaxError({ file, line, reason: `${reason}: ${JSON.stringify(content)}` })
  }
  const flush = (): void => {
    if (pending === undefined) return
    if (section === undefined)
      return fail(pending.line, 'Section must be started before assignment', pending.key)
    const values = section.options.get(pending.key) ?? []
    values.push({ value: pending.parts.join('\n'), file, line: pending.line })
    section.options.set(pending.key, values)
    pending = undefined
  }

  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  lines.forEach((raw, i) => {
    const lineNo = i + 1
    const line = raw.trimEnd()
    if (line === '') return flush()
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (pending === undefined) return fail(lineNo, 'Unexpected continuation line', line)
      pending.parts.push(line.trimStart())
      return
    }
    flush()
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) return fail(lineNo, 'Invalid section (must end with ])', line)
      if (line.length <= 2) return fail(lineNo, 'Empty section name', line)
      const name = line.slice(1, -1)
      section = doc.get(name) ?? { line: lineNo, options: new Map() }
      doc.set(name, section)
      return
    }
    if (line.startsWith('#') || line.startsWith(';')) return
    const colon = line.indexOf(':')
    const equal = line.indexOf('=')
    if (colon < 0 && equal < 0) return fail(lineNo, "No ':' or '=' found in assignment", line)
    const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon
    const key = line.slice(0, at).trim()
    if (key === '') return fail(lineNo, 'Key cannot be empty', line)
    if (section === undefined) return fail(lineNo, 'Section must be started before assignment', line)
    pending = { key, parts: [unquote(line.slice(at + 1).trim())], line: lineNo }
  })
  flush()
  return doc
}

function unquote(value: string): string {
  if (value !== '' && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0])
    return value.slice(1, -1)
  return value
}

/** oslo's section-name normalisation: `DEFAULT` stays as is, every other name is lower-cased. */
export function normalizeSectionName(name: string): string {
  return name === 'DEFAULT' ? name : name.toLowerCase()
}
