import { isIP } from 'node:net'

/**
 * One configuration option: its kind, default, help and how a written value becomes a typed one. `T` is the
 * type code reads; `parse` throws a plain string that says what was expected (the loader adds where).
 */
export interface Opt<T> {
  readonly kind: string
  readonly help: string
  /** Typed default; for string defaults `$name` references are interpolated first. */
  readonly default: T
  /** Raw default as it is written in the sample (`$state_path/instances`), when it differs from the typed one. */
  readonly rawDefault?: string
  readonly secret: boolean
  readonly multi: boolean
  readonly choices?: readonly string[]
  readonly min?: number
  readonly max?: number
  /** Older names of this option in the same section (oslo `deprecated_name`). */
  readonly deprecatedNames: readonly string[]
  parse(raw: string): T
}

interface Common {
  readonly help: string
  readonly secret?: boolean
  readonly deprecatedNames?: readonly string[]
}

const base = (c: Common) => ({
  help: c.help,
  secret: c.secret ?? false,
  deprecatedNames: c.deprecatedNames ?? [],
  multi: false,
})

function must(ok: boolean, expected: string, raw: string): void {
  if (!ok) throw `expected ${expected}, got ${JSON.stringify(raw)}`
}

export function strOpt(o: Common & { default: string; choices?: readonly string[] }): Opt<string>
export function strOpt(o: Common & { choices?: readonly string[] }): Opt<string | undefined>
export function strOpt(
  o: Common & { default?: string; choices?: readonly string[] },
): Opt<string | undefined> {
  return {
    ...base(o),
    kind: 'string',
    default: o.default,
    ...(o.default?.includes('$') === true ? { rawDefault: o.default } : {}),
    ...(o.choices === undefined ? {} : { choices: o.choices }),
    parse(raw) {
      if (o.choices !== undefined) must(o.choices.includes(raw), `one of ${o.choices.join(', ')}`, raw)
      return raw
    },
  }
}

export function intOpt(o: Common & { default: number; min?: number; max?: number }): Opt<number>
export function intOpt(o: Common & { min?: number; max?: number }): Opt<number | undefined>
export function intOpt(
  o: Common & { default?: number; min?: number; max?: number },
): Opt<number | undefined> {
  return {
    ...base(o),
    kind: 'integer',
    default: o.default,
    ...(o.min === undefined ? {} : { min: o.min }),
    ...(o.max === undefined ? {} : { max: o.max }),
    parse: (raw) => bounded(raw, o, true),
  }
}

export function floatOpt(o: Common & { default: number; min?: number; max?: number }): Opt<number>
export function floatOpt(o: Common & { min?: number; max?: number }): Opt<number | undefined>
export function floatOpt(
  o: Common & { default?: number; min?: number; max?: number },
): Opt<number | undefined> {
  return {
    ...base(o),
    kind: 'floating point',
    default: o.default,
    ...(o.min === undefined ? {} : { min: o.min }),
    ...(o.max === undefined ? {} : { max: o.max }),
    parse: (raw) => bounded(raw, o, false),
  }
}

function bounded(raw: string, o: { min?: number; max?: number }, integer: boolean): number {
  const text = raw.trim()
  const n = integer ? (/^[+-]?\d+$/.test(text) ? Number(text) : NaN) : text === '' ? NaN : Number(text)
  must(Number.isFinite(n), integer ? 'an integer' : 'a number', raw)
  if (o.min !== undefined && n < o.min) throw `${n} is less than the minimum ${o.min}`
  if (o.max !== undefined && n > o.max) throw `${n} is greater than the maximum ${o.max}`
  return n
}

export function portOpt(o: Common & { default: number }): Opt<number>
export function portOpt(o: Common): Opt<number | undefined>
export function portOpt(o: Common & { default?: number }): Opt<number | undefined> {
  return { ...intOpt({ ...o, min: 0, max: 65535 }), kind: 'port number', default: o.default }
}

const TRUE = new Set(['true', '1', 'on', 'yes'])
const FALSE = new Set(['false', '0', 'off', 'no'])

export function boolOpt(o: Common & { default: boolean }): Opt<boolean> {
  return {
    ...base(o),
    kind: 'boolean',
    default: o.default,
    parse(raw) {
      const v = raw.trim().toLowerCase()
      must(TRUE.has(v) || FALSE.has(v), 'a boolean (true/false, yes/no, on/off, 1/0)', raw)
      return TRUE.has(v)
    },
  }
}

/** Comma-separated list (oslo ListOpt). */
export function listOpt(
  o: Common & { default?: readonly string[]; choices?: readonly string[] },
): Opt<readonly string[]> {
  return {
    ...base(o),
    kind: 'list',
    default: o.default ?? [],
    ...(o.choices === undefined ? {} : { choices: o.choices }),
    parse(raw) {
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
      if (o.choices !== undefined)
        for (const item of items) must(o.choices.includes(item), `items among ${o.choices.join(', ')}`, item)
      return items
    },
  }
}

/** An option given by repeating its key (oslo MultiStrOpt); every value across every file is kept. */
export function multiOpt(o: Common & { default?: readonly string[] }): Opt<readonly string[]> {
  return { ...base(o), multi: true, kind: 'multi valued', default: o.default ?? [], parse: (raw) => [raw] }
}

export function ipOpt(o: Common & { default: string }): Opt<string>
export function ipOpt(o: Common): Opt<string | undefined>
export function ipOpt(o: Common & { default?: string }): Opt<string | undefined> {
  return {
    ...base(o),
    kind: 'IP address',
    default: o.default,
    parse(raw) {
      must(isIP(raw.trim()) !== 0, 'an IP address', raw)
      return raw.trim()
    },
  }
}

/** A host name or an IP address (oslo HostAddressOpt). */
export function hostOpt(o: Common & { default: string }): Opt<string>
export function hostOpt(o: Common): Opt<string | undefined>
export function hostOpt(o: Common & { default?: string }): Opt<string | undefined> {
  return {
    ...base(o),
    kind: 'host address',
    default: o.default,
    parse(raw) {
      const v = raw.trim()
      const hostname =
        /^(?=.{1,253}$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/
      must(isIP(v) !== 0 || hostname.test(v), 'a host name or IP address', raw)
      return v
    },
  }
}

/** A URI with a scheme (oslo URIOpt). */
export function uriOpt(o: Common & { default: string; schemes?: readonly string[] }): Opt<string>
export function uriOpt(o: Common & { schemes?: readonly string[] }): Opt<string | undefined>
export function uriOpt(
  o: Common & { default?: string; schemes?: readonly string[] },
): Opt<string | undefined> {
  return {
    ...base(o),
    kind: 'URI',
    default: o.default,
    parse(raw) {
      const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw.trim())
      must(match !== null, 'a URI such as scheme://host/path', raw)
      if (o.schemes !== undefined)
        must(o.schemes.includes(match![1]!.toLowerCase()), `a URI with scheme ${o.schemes.join(' or ')}`, raw)
      return raw.trim()
    },
  }
}

export type AnyOpt = Opt<unknown>
export type OptValue<O> = O extends Opt<infer T> ? T : never
