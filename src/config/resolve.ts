import { ConfigValueInvalid } from '../common/errors/index.js'
import { optKey, type GivenValues } from './collect.js'
import type { IniValue } from './ini-parser.js'
import { normalizeSectionName } from './ini-parser.js'
import { interpolate, type Reference } from './interpolate.js'
import { OptValueError, type AnyOpt, type SectionDefinition } from './opt.js'

const DEFAULT_LOCATION = { file: '<default>', line: 0 }

/**
 * Turns the layered raw values into the typed, deeply frozen configuration: every raw string is interpolated
 * (oslo: `$name` looks in the option's own section, then `[DEFAULT]`; `${section.name}` names both) and then
 * parsed by its option; unset options take their default (string defaults are interpolated too).
 * Throws ConfigValueInvalid naming section, option, file and line for a bad value, an unknown reference or a
 * reference loop.
 */
export function resolveConfig(
  registry: Readonly<Record<string, SectionDefinition>>,
  given: GivenValues,
): Readonly<Record<string, Readonly<Record<string, unknown>>>> {
  const done = new Map<string, unknown>()
  const active = new Set<string>()

  const valueOf = (section: string, name: string): unknown => {
    const key = optKey(section, name)
    if (done.has(key)) return done.get(key)
    if (active.has(key)) throw new OptValueError(`reference loop through \${${section}.${name}}`)
    active.add(key)
    try {
      const value = compute(section, name, registry[section]![name]!)
      done.set(key, value)
      return value
    } finally {
      active.delete(key)
    }
  }

  const textOf = (value: unknown): string =>
    value === undefined ? '' : Array.isArray(value) ? value.join(',') : String(value)

  const lookupFrom =
    (section: string) =>
    (ref: Reference): string => {
      if (ref.section !== undefined) {
        const s = normalizeSectionName(ref.section)
        if (registry[s]?.[ref.name] !== undefined) return textOf(valueOf(s, ref.name))
      } else {
        if (registry[section]?.[ref.name] !== undefined) return textOf(valueOf(section, ref.name))
        if (registry.DEFAULT?.[ref.name] !== undefined) return textOf(valueOf('DEFAULT', ref.name))
      }
      const shown = ref.section === undefined ? ref.name : `${ref.section}.${ref.name}`
      throw new OptValueError(`unknown reference $${shown} (no such option)`)
    }

  const compute = (section: string, name: string, opt: AnyOpt): unknown => {
    const lookup = lookupFrom(section)
    const located = <T>(where: Pick<IniValue, 'file' | 'line'>, work: () => T): T => {
      try {
        return work()
      } catch (error) {
        if (!(error instanceof OptValueError)) throw error
        throw new ConfigValueInvalid({
          section,
          option: name,
          file: where.file,
          line: where.line,
          reason: error.message,
        })
      }
    }
    // Values from files are always parsed; a default only when interpolation changed it (definitions are trusted).
    const convert = (raw: string, where: Pick<IniValue, 'file' | 'line'>, check: boolean): unknown =>
      located(where, () => {
        const text = interpolate(raw, lookup)
        return check || text !== raw ? opt.parse(text) : text
      })
    const values = given.get(optKey(section, name))
    if (values === undefined || values.length === 0) {
      const d = opt.default
      if (typeof d === 'string') return convert(d, DEFAULT_LOCATION, false)
      if (Array.isArray(d))
        return located(DEFAULT_LOCATION, () =>
          Object.freeze(
            d.map((item: unknown) => (typeof item === 'string' ? interpolate(item, lookup) : item)),
          ),
        )
      return d
    }
    if (opt.multi) return Object.freeze(values.flatMap((v) => convert(v.value, v, true) as unknown[]))
    const last = values.at(-1)!
    const parsed = convert(last.value, last, true)
    return Array.isArray(parsed) ? Object.freeze(parsed) : parsed
  }

  const config: Record<string, Readonly<Record<string, unknown>>> = {}
  for (const [section, opts] of Object.entries(registry)) {
    const values: Record<string, unknown> = {}
    for (const name of Object.keys(opts)) values[name] = valueOf(section, name)
    config[section] = Object.freeze(values)
  }
  return Object.freeze(config)
}
