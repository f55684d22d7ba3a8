import { readdirSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { ConfigFileUnreadable, ConfigValueInvalid } from '../common/errors/index.js'
import { parseIni, type IniValue } from './ini-parser.js'
import { interpolate } from './interpolate.js'
import type { AnyOpt } from './opt.js'
import { SECTIONS } from './options/index.js'
import type { ConfigOverrides, NovaConfig } from './types.js'

export interface LoadConfigOptions {
  /** Files in order; a later file wins for single values, multi-valued options collect from all files. */
  readonly configFiles?: readonly string[]
  /** Directories whose `*.conf` files are read, sorted, after the files (oslo `--config-dir`). */
  readonly configDirs?: readonly string[]
  /** Highest precedence, e.g. command-line flags; errors in them are reported as `command line`. */
  readonly overrides?: ConfigOverrides
}

export interface LoadedConfig {
  readonly config: NovaConfig
  /** One line per unknown section or option, naming file and line. */
  readonly warnings: readonly string[]
  /** The files that were read, in order. */
  readonly sources: readonly string[]
}

const COMMAND_LINE = 'command line'

/**
 * Reads and checks the configuration. Throws ConfigFileUnreadable, ConfigSyntaxError, or ConfigValueInvalid
 * (naming section, option, file and line) — a daemon prints it and exits non-zero. The result is deeply frozen.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const sources = [...(options.configFiles ?? []), ...(options.configDirs ?? []).flatMap(confFilesIn)]
  const given = new Map<string, Map<string, IniValue[]>>()
  const warnings: string[] = []
  const sections = SECTIONS as unknown as Record<string, Record<string, AnyOpt>>

  for (const file of sources) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new ConfigFileUnreadable({ file, reason: (error as Error).message })
    }
    for (const [sectionName, entries] of parseIni(text, file)) {
      const known = sections[sectionName]
      if (known === undefined) {
        const first = [...entries.values()][0]?.[0]
        warnings.push(
          `${file}${first === undefined ? '' : `:${first.line - 1}`}: unknown section [${sectionName}] ignored`,
        )
        continue
      }
      const target = given.get(sectionName) ?? new Map<string, IniValue[]>()
      given.set(sectionName, target)
      for (const [key, values] of entries) {
        const name = canonicalName(known, key)
        if (name === undefined) {
          warnings.push(`${file}:${values[0]!.line}: unknown option [${sectionName}] ${key} ignored`)
          continue
        }
        const opt = known[name]!
        // Multi-valued options collect across files (oslo); other options take the last value given.
        target.set(name, opt.multi ? [...(target.get(name) ?? []), ...values] : [values.at(-1)!])
      }
    }
  }
  for (const [sectionName, entries] of Object.entries(options.overrides ?? {})) {
    const known = sections[sectionName]
    if (known === undefined) throw new Error(`override for unknown section [${sectionName}]`)
    const target = given.get(sectionName) ?? new Map<string, IniValue[]>()
    given.set(sectionName, target)
    for (const [key, value] of Object.entries(entries)) {
      if (known[key] === undefined) throw new Error(`override for unknown option [${sectionName}] ${key}`)
      const list = typeof value === 'string' ? [value] : value
      target.set(
        key,
        list.map((v) => ({ value: v, file: COMMAND_LINE, line: 0 })),
      )
    }
  }

  const rawOf = (section: string, name: string): string | undefined => {
    const values = given.get(section)?.get(name)
    if (values !== undefined) return values.at(-1)!.value
    const opt = sections[section]?.[name]
    if (opt === undefined) return undefined
    if (opt.rawDefault !== undefined) return opt.rawDefault
    const d = opt.default
    return d === undefined ? '' : Array.isArray(d) ? d.join(',') : String(d)
  }

  const config: Record<string, Record<string, unknown>> = {}
  for (const [sectionName, opts] of Object.entries(sections)) {
    const values: Record<string, unknown> = {}
    for (const [name, opt] of Object.entries(opts)) {
      values[name] = resolve(
        sectionName,
        name,
        opt,
        given.get(sectionName)?.get(name),
        (s, n) => rawOf(s ?? 'DEFAULT', n) ?? (s === undefined ? rawOf(sectionName, n) : undefined),
      )
    }
    config[sectionName] = Object.freeze(values)
  }
  return { config: Object.freeze(config) as unknown as NovaConfig, warnings, sources }
}

function resolve(
  section: string,
  name: string,
  opt: AnyOpt,
  values: readonly IniValue[] | undefined,
  lookup: (section: string | undefined, name: string) => string | undefined,
): unknown {
  const convert = (raw: string, where: { file: string; line: number }): unknown => {
    try {
      return opt.parse(
        opt.kind === 'string' || opt.kind === 'URI' || opt.kind === 'multi valued'
          ? interpolate(raw, lookup)
          : raw,
      )
    } catch (reason) {
      if (typeof reason !== 'string') throw reason
      throw new ConfigValueInvalid({ section, option: name, file: where.file, line: where.line, reason })
    }
  }
  if (values === undefined || values.length === 0) {
    if (opt.rawDefault !== undefined) return convert(opt.rawDefault, { file: '<default>', line: 0 })
    return Array.isArray(opt.default) ? Object.freeze([...(opt.default as unknown[])]) : opt.default
  }
  if (opt.multi) return Object.freeze(values.flatMap((v) => convert(v.value, v) as unknown[]))
  const last = values.at(-1)!
  const parsed = convert(last.value, last)
  return Array.isArray(parsed) ? Object.freeze(parsed) : parsed
}

function canonicalName(known: Record<string, AnyOpt>, key: string): string | undefined {
  if (Object.hasOwn(known, key)) return key
  return Object.entries(known).find(([, opt]) => opt.deprecatedNames.includes(key))?.[0]
}

function confFilesIn(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (error) {
    throw new ConfigFileUnreadable({ file: dir, reason: (error as Error).message })
  }
  return names
    .filter((n) => n.endsWith('.conf'))
    .sort()
    .map((n) => path.join(dir, n))
    .filter((f) => statSync(f).isFile())
}

/**
 * oslo's default configuration files that exist: `<project>.conf` then `<binary>.conf` in ~/.<project>/, ~/,
 * /etc/<project>/ and /etc/ — the files a daemon reads when given no --config-file.
 */
export function findDefaultConfigFiles(project = 'nova', binary?: string): string[] {
  const dirs = [path.join(homedir(), `.${project}`), homedir(), path.join('/etc', project), '/etc']
  const names = [`${project}.conf`, ...(binary === undefined || binary === project ? [] : [`${binary}.conf`])]
  const found: string[] = []
  for (const name of names) {
    const hit = dirs
      .map((d) => path.join(d, name))
      .find((f) => statSync(f, { throwIfNoEntry: false })?.isFile() === true)
    if (hit !== undefined) found.push(hit)
  }
  return found
}

/** `section.option = value` lines with secrets as `****`, for the start-up log (oslo `log_opt_values`). */
export function redactedConfigDump(config: NovaConfig): string[] {
  const lines: string[] = []
  const sections = SECTIONS as unknown as Record<string, Record<string, AnyOpt>>
  const values = config as unknown as Record<string, Record<string, unknown>>
  for (const [section, opts] of Object.entries(sections)) {
    for (const [name, opt] of Object.entries(opts)) {
      const value = values[section]?.[name]
      lines.push(`${section}.${name} = ${opt.secret && value !== undefined ? '****' : JSON.stringify(value)}`)
    }
  }
  return lines
}
