import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { ConfigFileUnreadable, ConfigValueInvalid } from '../common/errors/index.js'
import { normalizeSectionName, parseIni, type IniValue } from './ini-parser.js'
import type { SectionDefinition } from './opt.js'
import type { ConfigOverrides } from './types.js'

/** Where a value was given: a file and line, or `command line` (line 0). */
export const COMMAND_LINE = 'command line'

/** `section\0option` of a registered option → the raw values that apply to it, in precedence order. */
export type GivenValues = Map<string, readonly IniValue[]>

/** Key of a registered option in GivenValues. */
export const optKey = (section: string, name: string): string => `${section}\0${name}`

interface Target {
  readonly section: string
  readonly name: string
  /** 0 for the current name, 1… for the deprecated names in declaration order. */
  readonly rank: number
}

/** Normalised section name as it may appear in a file → option name as written → registered option. */
function aliasIndex(registry: Readonly<Record<string, SectionDefinition>>): Map<string, Map<string, Target>> {
  const index = new Map<string, Map<string, Target>>()
  const add = (section: string, key: string, target: Target): void => {
    const names = index.get(section) ?? new Map<string, Target>()
    index.set(section, names)
    const existing = names.get(key)
    if (existing === undefined || existing.rank > target.rank) names.set(key, target)
  }
  for (const [section, opts] of Object.entries(registry)) {
    if (!index.has(section)) index.set(section, new Map())
    for (const [name, opt] of Object.entries(opts)) {
      add(section, name, { section, name, rank: 0 })
      opt.deprecatedOpts.forEach((d, i) =>
        add(normalizeSectionName(d.section ?? section), d.name ?? name, { section, name, rank: i + 1 }),
      )
    }
  }
  return index
}

/**
 * Reads the files in order and layers their values the way oslo.config does: for a single-valued option the
 * last file that sets it wins (and within it the last occurrence); a multi-valued option gets the values of all
 * files concatenated in file order. Within one file the current name beats a deprecated one. Section names
 * are matched after oslo normalisation (lower case, except `DEFAULT`). Unknown sections and options, and
 * deprecated names, add one warning each (`file:line: …`) and are otherwise ignored. `overrides` then replace
 * whatever the files said (also for multi-valued options, as oslo's command line does).
 * Throws ConfigFileUnreadable, ConfigSyntaxError, or ConfigValueInvalid for an override naming no option.
 */
export function collectValues(
  registry: Readonly<Record<string, SectionDefinition>>,
  files: readonly string[],
  overrides: ConfigOverrides,
): { given: GivenValues; warnings: string[] } {
  const index = aliasIndex(registry)
  const given: GivenValues = new Map()
  const warnings: string[] = []

  for (const file of files) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new ConfigFileUnreadable({ file, reason: (error as Error).message })
    }
    const perFile = new Map<string, { rank: number; values: IniValue[] }>()
    for (const [written, section] of parseIni(text, file)) {
      const names = index.get(normalizeSectionName(written))
      if (names === undefined) {
        warnings.push(`${file}:${section.line}: unknown section [${written}] ignored`)
        continue
      }
      for (const [key, values] of section.options) {
        const target = names.get(key)
        if (target === undefined) {
          warnings.push(`${file}:${values[0]!.line}: unknown option ${key} in section [${written}] ignored`)
          continue
        }
        if (target.rank > 0)
          warnings.push(
            `${file}:${values[0]!.line}: [${written}] ${key} is deprecated, use [${target.section}] ${target.name}`,
          )
        const k = optKey(target.section, target.name)
        const seen = perFile.get(k)
        if (seen === undefined || target.rank < seen.rank)
          perFile.set(k, { rank: target.rank, values: [...values] })
        else if (target.rank === seen.rank) seen.values.push(...values)
      }
    }
    for (const [k, { values }] of perFile) {
      const [section, name] = k.split('\0') as [string, string]
      const multi = registry[section]![name]!.multi
      given.set(k, multi ? [...(given.get(k) ?? []), ...values] : values)
    }
  }

  for (const [section, entries] of Object.entries(overrides)) {
    for (const [name, value] of Object.entries(entries)) {
      if (registry[section]?.[name] === undefined)
        throw new ConfigValueInvalid({
          section,
          option: name,
          file: COMMAND_LINE,
          line: 0,
          reason: 'no such option',
        })
      const list = typeof value === 'string' ? [value] : value
      given.set(
        optKey(section, name),
        list.map((v) => ({ value: v, file: COMMAND_LINE, line: 0 })),
      )
    }
  }
  return { given, warnings }
}

/**
 * The `*.conf` files of a directory in sorted order (oslo `--config-dir`); other files and subdirectories are
 * skipped. Throws ConfigFileUnreadable when the directory cannot be listed.
 */
export function confFilesIn(dir: string): string[] {
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
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile() === true)
}
