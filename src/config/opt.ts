import { isIP } from 'node:net'

/** An older (section, name) an option was known by (oslo `DeprecatedOpt`); a missing part means "the same". */
export interface DeprecatedName {
  readonly section?: string
  readonly name?: string
}

/**
 * One configuration option: its kind, default, help and how a written value becomes a typed one. `T` is the
 * type code reads. `parse` throws OptValueError saying what was expected; the loader adds where it was written.
 */
export interface Opt<T> {
  /** Short kind id: string, integer, float, boolean, list, multi, port, ip, hostname, host, uri. */
  readonly kind: string
  /** oslo's type name, as printed in the sample: `integer value`, `multi valued`, … */
  readonly typeName: string
  readonly help: string
  /** Typed default. String defaults may hold `$name` references; the loader interpolates them. */
  readonly default: T
  /** Shown in the sample instead of the default when the real one depends on the machine (oslo `sample_default`). */
  readonly sampleDefault?: string
  readonly secret: boolean
  readonly multi: boolean
  readonly choices?: readonly string[]
  readonly min?: number
  readonly max?: number
  /** Older names of this option in the same section (oslo `deprecated_name`). */
  readonly deprecatedNames: readonly string[]
  /** Older names and/or sections (oslo `deprecated_opts`); a file using one gets a warning, not an error. */
  readonly deprecatedOpts: readonly DeprecatedName[]
  /** Set when the option is going away; the reason is printed in the sample. */
  readonly deprecatedForRemoval?: string
  parse(raw: string): T
}

/** Thrown by `Opt.parse` with a reason naming the expected type; the loader turns it into ConfigValueInvalid. */
export class OptValueError extends Error {
  override readonly name = 'OptValueError'
}

/** What every option definition accepts. */
export interface OptSpec {
  readonly help: string
  /** Shown as `****` in the start-up dump and `<None>` in the sample. */
  readonly secret?: boolean
  readonly deprecatedNames?: readonly string[]
  readonly deprecated?: readonly DeprecatedName[]
  readonly deprecatedForRemoval?: string
  readonly sampleDefault?: string
}

const base = (s: OptSpec, kind: string, typeName: string) => ({
  kind,
  typeName,
  help: s.help,
  secret: s.secret ?? false,
  multi: false,
  deprecatedNames: s.deprecatedNames ?? [],
  deprecatedOpts: [...(s.deprecatedNames ?? []).map((name) => ({ name })), ...(s.deprecated ?? [])],
  ...(s.deprecatedForRemoval === undefined ? {} : { deprecatedForRemoval: s.deprecatedForRemoval }),
  ...(s.sampleDefault === undefined ? {} : { sampleDefault: s.sampleDefault }),
})

function must(ok: boolean, expected: string, raw: string): void {
  if (!ok) throw new OptValueError(`expected ${expected}, got ${JSON.stringify(raw)}`)
}

function checkChoice(choices: readonly string[] | undefined, raw: string): void {
  if (choices !== undefined) must(choices.includes(raw), `a string value, one of ${choices.join(', ')}`, raw)
}

/** oslo StrOpt. With `choices` the value type is the union of the choices. */
export function strOpt<const C extends readonly string[]>(
  o: OptSpec & { default: C[number]; choices: C },
): Opt<C[number]>
export function strOpt<const C extends readonly string[]>(
  o: OptSpec & { choices: C },
): Opt<C[number] | undefined>
export function strOpt(o: OptSpec & { default: string }): Opt<string>
export function strOpt(o: OptSpec): Opt<string | undefined>
export function strOpt(
  o: OptSpec & { default?: string; choices?: readonly string[] },
): Opt<string | undefined> {
  return {
    ...base(o, 'string', 'string value'),
    default: o.default,
    ...(o.choices === undefined ? {} : { choices: o.choices }),
    parse(raw) {
      checkChoice(o.choices, raw)
      return raw
    },
  }
}

interface Bounds {
  readonly min?: number
  readonly max?: number
}

function bounded(raw: string, b: Bounds, integer: boolean): number {
  const text = raw.trim()
  const n = integer ? (/^[+-]?\d+$/.test(text) ? Number(text) : NaN) : text === '' ? NaN : Number(text)
  must(Number.isFinite(n), integer ? 'an integer value' : 'a floating point value', raw)
  if (b.min !== undefined && n < b.min) throw new OptValueError(`${n} is less than the minimum ${b.min}`)
  if (b.max !== undefined && n > b.max) throw new OptValueError(`${n} is greater than the maximum ${b.max}`)
  return n
}

const bounds = (b: Bounds) => ({
  ...(b.min === undefined ? {} : { min: b.min }),
  ...(b.max === undefined ? {} : { max: b.max }),
})

/** oslo IntOpt, with optional min/max (inclusive). */
export function intOpt(o: OptSpec & Bounds & { default: number }): Opt<number>
export function intOpt(o: OptSpec & Bounds): Opt<number | undefined>
export function intOpt(o: OptSpec & Bounds & { default?: number }): Opt<number | undefined> {
  return {
    ...base(o, 'integer', 'integer value'),
    default: o.default,
    ...bounds(o),
    parse: (raw) => bounded(raw, o, true),
  }
}

/** oslo FloatOpt, with optional min/max (inclusive). */
export function floatOpt(o: OptSpec & Bounds & { default: number }): Opt<number>
export function floatOpt(o: OptSpec & Bounds): Opt<number | undefined>
export function floatOpt(o: OptSpec & Bounds & { default?: number }): Opt<number | undefined> {
  return {
    ...base(o, 'float', 'floating point value'),
    default: o.default,
    ...bounds(o),
    parse: (raw) => bounded(raw, o, false),
  }
}

/** oslo PortOpt: an integer in 0..65535 (or narrower bounds). */
export function portOpt(o: OptSpec & Bounds & { default: number }): Opt<number>
export function portOpt(o: OptSpec & Bounds): Opt<number | undefined>
export function portOpt(o: OptSpec & Bounds & { default?: number }): Opt<number | undefined> {
  const b = { min: o.min ?? 0, max: o.max ?? 65535 }
  return {
    ...base(o, 'port', 'port value'),
    default: o.default,
    ...b,
    parse(raw) {
      const text = raw.trim()
      must(/^[+-]?\d+$/.test(text), 'a port value (an integer 0-65535)', raw)
      return bounded(text, b, true)
    },
  }
}

const TRUE = new Set(['true', '1', 'on', 'yes'])
const FALSE = new Set(['false', '0', 'off', 'no'])

/** oslo BoolOpt: true/false, yes/no, on/off, 1/0, any case. */
export function boolOpt(o: OptSpec & { default: boolean }): Opt<boolean> {
  return {
    ...base(o, 'boolean', 'boolean value'),
    default: o.default,
    parse(raw) {
      const v = raw.trim().toLowerCase()
      must(TRUE.has(v) || FALSE.has(v), 'a boolean value (true/false, yes/no, on/off, 1/0)', raw)
      return TRUE.has(v)
    },
  }
}

/** oslo ListOpt: comma-separated, items trimmed, trailing commas dropped, `''` is the empty list. */
export function listOpt(
  o: OptSpec & { default?: readonly string[]; choices?: readonly string[] },
): Opt<readonly string[]> {
  return {
    ...base(o, 'list', 'list value'),
    default: o.default ?? [],
    ...(o.choices === undefined ? {} : { choices: o.choices }),
    parse(raw) {
      const text = raw.trim().replace(/,+$/, '')
      const items = text === '' ? [] : text.split(',').map((s) => s.trim())
      if (o.choices !== undefined)
        for (const item of items)
          must(o.choices.includes(item), `list items among ${o.choices.join(', ')}`, item)
      return items
    },
  }
}

/** oslo MultiStrOpt: given by repeating the key; values from every file are concatenated in file order. */
export function multiOpt(o: OptSpec & { default?: readonly string[] }): Opt<readonly string[]> {
  return { ...base(o, 'multi', 'multi valued'), multi: true, default: o.default ?? [], parse: (raw) => [raw] }
}

/** oslo IPOpt: an IPv4 or IPv6 address. */
export function ipOpt(o: OptSpec & { default: string }): Opt<string>
export function ipOpt(o: OptSpec): Opt<string | undefined>
export function ipOpt(o: OptSpec & { default?: string }): Opt<string | undefined> {
  return {
    ...base(o, 'ip', 'IP address value'),
    default: o.default,
    parse(raw) {
      must(isIP(raw.trim()) !== 0, 'an IP address value', raw)
      return raw.trim()
    },
  }
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/i

/** oslo's Hostname check: dot-separated labels, at most 253 characters, the last label not all digits. */
export function isHostname(value: string): boolean {
  const v = value.endsWith('.') ? value.slice(0, -1) : value
  if (v === '' || v.length > 253) return false
  const labels = v.split('.')
  return labels.every((l) => LABEL.test(l)) && /[a-z-]/i.test(labels.at(-1)!)
}

/** oslo HostnameOpt: a DNS host name (not an IP address). */
export function hostnameOpt(o: OptSpec & { default: string }): Opt<string>
export function hostnameOpt(o: OptSpec): Opt<string | undefined>
export function hostnameOpt(o: OptSpec & { default?: string }): Opt<string | undefined> {
  return {
    ...base(o, 'hostname', 'hostname value'),
    default: o.default,
    parse(raw) {
      must(isHostname(raw.trim()), 'a hostname value', raw)
      return raw.trim()
    },
  }
}

/** oslo HostAddressOpt: a host name or an IP address. */
export function hostOpt(o: OptSpec & { default: string }): Opt<string>
export function hostOpt(o: OptSpec): Opt<string | undefined>
export function hostOpt(o: OptSpec & { default?: string }): Opt<string | undefined> {
  return {
    ...base(o, 'host', 'host address value'),
    default: o.default,
    parse(raw) {
      const v = raw.trim()
      must(isIP(v) !== 0 || isHostname(v), 'a host address value (host name or IP address)', raw)
      return v
    },
  }
}

/** oslo URIOpt: `scheme://host…`, optionally restricted to some schemes. */
export function uriOpt(o: OptSpec & { default: string; schemes?: readonly string[] }): Opt<string>
export function uriOpt(o: OptSpec & { schemes?: readonly string[] }): Opt<string | undefined>
export function uriOpt(
  o: OptSpec & { default?: string; schemes?: readonly string[] },
): Opt<string | undefined> {
  return {
    ...base(o, 'uri', 'uri value'),
    default: o.default,
    parse(raw) {
      const v = raw.trim()
      const match = /^([a-z][a-z0-9+.-]*):\/\/[^/?#\s]+/i.exec(v)
      must(match !== null, 'a uri value such as scheme://host/path', raw)
      if (o.schemes !== undefined)
        must(
          o.schemes.includes(match![1]!.toLowerCase()),
          `a uri value with scheme ${o.schemes.join(' or ')}`,
          raw,
        )
      return v
    },
  }
}

/** Any option, whatever its value type. */
export type AnyOpt = Opt<unknown>
/** The value type code reads for an option. */
export type OptValue<O> = O extends Opt<infer T> ? T : never
/** A section: option name → option. */
export type SectionDefinition = Readonly<Record<string, AnyOpt>>
