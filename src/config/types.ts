import type { OptValue } from './opt.js'
import type { SECTIONS } from './options/index.js'

type Sections = typeof SECTIONS

/** The compiled configuration: `config.DEFAULT.report_interval` is a number, and so on, inferred from the options. */
export type NovaConfig = {
  readonly [S in keyof Sections]: { readonly [K in keyof Sections[S]]: OptValue<Sections[S][K]> }
}

export type SectionName = keyof Sections

/** Values given on the command line (or by code), section → option → raw value(s); they win over files. */
export type ConfigOverrides = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>
