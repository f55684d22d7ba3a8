import { collectValues, confFilesIn, optKey } from './collect.js'
import { REGISTRY } from './options/index.js'
import { resolveConfig } from './resolve.js'
import type { ConfigOverrides, NovaConfig } from './types.js'

export { findDefaultConfigDirs, findDefaultConfigFiles } from './default-files.js'
export { redactedConfigDump } from './dump.js'

/** What to read, lowest precedence first: files, then config dirs, then overrides. */
export interface LoadConfigOptions {
  /** Files in order (oslo `--config-file`); a later file wins, multi-valued options collect from all files. */
  readonly configFiles?: readonly string[]
  /** Directories whose `*.conf` files are read in sorted order after the files (oslo `--config-dir`). */
  readonly configDirs?: readonly string[]
  /**
   * Highest precedence, e.g. command-line flags: section → option → raw text (or texts, for a multi-valued
   * option; they replace the files' values). Errors in them are reported at `command line`.
   */
  readonly overrides?: ConfigOverrides
}

/** The outcome of loadConfig. */
export interface LoadedConfig {
  /** Typed and deeply frozen: `config.DEFAULT.report_interval` is a number. */
  readonly config: NovaConfig
  /** One line per unknown section, unknown option or deprecated name, `file:line: …`. Not errors. */
  readonly warnings: string[]
  /** The files that were read, in the order they were read. */
  readonly sources: string[]
  /** Whether a file or an override gave `[section] name` a value (else it has its default). */
  isSet(section: string, name: string): boolean
}

/**
 * Reads, layers, interpolates and checks the configuration (oslo.config semantics: see collectValues and
 * resolveConfig). Pure apart from reading the files; calling it twice with the same inputs gives equal results.
 * Throws ConfigFileUnreadable (a file or directory cannot be read), ConfigSyntaxError {file, line, reason}, or
 * ConfigValueInvalid {section, option, file, line, reason} for a bad value (wrong type, out of min/max, not in
 * choices, unknown `$reference`) or an override naming no option: a daemon prints it and exits non-zero.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const sources = [...(options.configFiles ?? []), ...(options.configDirs ?? []).flatMap(confFilesIn)]
  const { given, warnings } = collectValues(REGISTRY, sources, options.overrides ?? {})
  const config = resolveConfig(REGISTRY, given) as unknown as NovaConfig
  const isSet = (section: string, name: string) => (given.get(optKey(section, name))?.length ?? 0) > 0
  return { config, warnings, sources, isSet }
}
