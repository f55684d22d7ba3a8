import type { AnyOpt } from './opt.js'
import { REGISTRY } from './options/index.js'

const WIDTH = 70

/** Python textwrap.wrap with `# ` indents and no long-word breaking, as oslo-config-generator uses it. */
function wrap(text: string): string[] {
  const out: string[] = []
  for (const paragraph of text.split('\n')) {
    if (paragraph.trim() === '') {
      out.push('#')
      continue
    }
    let line = ''
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && line.length + 1 + word.length > WIDTH) {
        out.push(line)
        line = `# ${word}`
      } else line = line === '' ? `# ${word}` : `${line} ${word}`
    }
    out.push(line)
  }
  return out
}

/** The default as oslo's generator writes it; secrets show `<None>` unless a sample default is given. */
function defaults(opt: AnyOpt): string[] {
  const d = opt.default
  let shown: string[]
  if (opt.multi)
    shown =
      opt.sampleDefault !== undefined
        ? [opt.sampleDefault]
        : (d as string[]).length === 0
          ? ['']
          : (d as string[])
  else if (opt.sampleDefault !== undefined) shown = [opt.sampleDefault]
  else if (d === undefined || opt.secret) shown = ['<None>']
  else if (Array.isArray(d)) shown = [d.join(',')]
  else shown = [String(d)]
  return shown.map((s) => (s.trim() !== s ? `"${s}"` : s))
}

function describe(section: string, name: string, opt: AnyOpt): string[] {
  const prefix = opt.deprecatedForRemoval !== undefined ? 'DEPRECATED: ' : ''
  const lines = wrap(`${prefix}${opt.help} (${opt.typeName})`)
  if (opt.min !== undefined) lines.push(`# Minimum value: ${opt.min}`)
  if (opt.max !== undefined) lines.push(`# Maximum value: ${opt.max}`)
  if (opt.choices !== undefined) {
    lines.push('# Possible values:')
    for (const c of opt.choices) lines.push(`# ${c === '' ? "''" : c} - <No description provided>`)
  }
  if (opt.secret) lines.push('# Secret: shown as **** in logs.')
  for (const d of opt.deprecatedOpts)
    lines.push(`# Deprecated group/name - [${d.section ?? section}]/${d.name ?? name}`)
  if (opt.deprecatedForRemoval !== undefined) {
    lines.push(
      '# This option is deprecated for removal.',
      '# Its value may be silently ignored in the future.',
    )
    lines.push(...wrap(`Reason: ${opt.deprecatedForRemoval}`))
  }
  if (opt.sampleDefault !== undefined && opt.sampleDefault !== opt.default)
    lines.push(
      '#',
      '# This option has a sample default set, which means that',
      '# its actual default value may vary from the one documented',
      '# below.',
    )
  for (const d of defaults(opt)) lines.push(`#${name} = ${d}`.trimEnd())
  return lines
}

/**
 * A commented sample nova.conf generated from the registry, in oslo-config-generator's layout: every section,
 * and for every option its help (wrapped at 70 columns) with its type, min/max, choices, deprecated names and
 * a `#name = default` line (`<None>` when unset or secret). Every option line is commented out, so loading
 * the sample gives the defaults and no warnings. Pure and deterministic except for nothing machine-specific:
 * machine-dependent defaults (host, my_ip) are shown by their sample default.
 */
export function renderSampleConfig(): string {
  const out: string[] = ['# Sample nova.conf for nova-ts, generated from its option registry.', '']
  for (const [section, opts] of Object.entries(REGISTRY)) {
    out.push(`[${section}]`, '')
    for (const [name, opt] of Object.entries(opts)) out.push(...describe(section, name, opt), '')
  }
  return `${out.join('\n')}\n`
}
