// Python's conversions where Nova's filters rely on them: float()/int() of strings, str() of values, truthiness,
// and string ordering by code point.

const DIGITS = String.raw`\d(?:_?\d)*`
const FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS})(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`,
)
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i
const INT = new RegExp(String.raw`^[+-]?${DIGITS}$`)

/** Python `float(text)`: surrounding whitespace, `_` between digits, inf/nan allowed; undefined if Python raises. */
export function parsePyFloat(text: string): number | undefined {
  const t = text.trim()
  if (SPECIAL.test(t)) {
    if (/nan/i.test(t)) return NaN
    return t.startsWith('-') ? -Infinity : Infinity
  }
  if (!FLOAT.test(t)) return undefined
  return Number(t.replaceAll('_', ''))
}

/** Python `int(text)` (base 10); undefined if Python raises. */
export function parsePyInt(text: string): number | undefined {
  const t = text.trim()
  return INT.test(t) ? Number(t.replaceAll('_', '')) : undefined
}

function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf'
  return String(n)
}

/** Python `repr(value)` for JSON-like values (strings quoted, lists/dicts bracketed). */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'"
    const body = value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\t', '\\t')
    return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote
  }
  return pyStr(value)
}

/** Python `str(value)`: strings as they are, None/True/False, ints without a fraction, lists as `['a', 'b']`. */
export function pyStr(value: unknown): string {
  if (value === undefined || value === null) return 'None'
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return floatRepr(value)
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (value instanceof Map) return pyStr(Object.fromEntries(value))
  if (value instanceof Set) return value.size === 0 ? 'set()' : `{${[...value].map(pyRepr).join(', ')}}`
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`
  return String(value)
}

/** Python truthiness: None, False, 0, '', empty lists/dicts are false. */
export function pyTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false
  if (typeof value === 'number') return value !== 0
  if (typeof value === 'string') return value !== ''
  if (Array.isArray(value)) return value.length > 0
  if (value instanceof Map || value instanceof Set) return value.size > 0
  if (typeof value === 'object') return Object.keys(value).length > 0
  return Boolean(value)
}

/** Python's string ordering: by Unicode code point (JS `<` compares UTF-16 units, which differs past U+FFFF). */
export function comparePyStrings(a: string, b: string): number {
  const x = [...a]
  const y = [...b]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}
