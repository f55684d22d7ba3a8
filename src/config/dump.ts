import { REGISTRY } from './options/index.js'
import type { NovaConfig } from './types.js'

/**
 * Every option as a `section.option = value` line (values JSON-encoded, unset ones as `null`), secrets that
 * are set shown as `****` — for the start-up log, like oslo's `log_opt_values`. Never throws.
 */
export function redactedConfigDump(config: NovaConfig): string[] {
  const values = config as unknown as Readonly<Record<string, Readonly<Record<string, unknown>>>>
  const lines: string[] = []
  for (const [section, opts] of Object.entries(REGISTRY)) {
    for (const [name, opt] of Object.entries(opts)) {
      const value = values[section]?.[name]
      const shown = value === undefined ? 'null' : opt.secret ? '****' : JSON.stringify(value)
      lines.push(`${section}.${name} = ${shown}`)
    }
  }
  return lines
}
