import type { AnyOpt } from './opt.js'
import { SECTIONS } from './options/index.js'

function wrap(text: string, width = 76): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + word.length + 1 > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

function defaultText(opt: AnyOpt): string {
  if (opt.rawDefault !== undefined) return opt.rawDefault
  const d = opt.default
  if (d === undefined || (opt.secret && d !== 'memory://')) return '<None>'
  if (Array.isArray(d)) return d.join(',')
  return String(d)
}

/**
 * A commented sample nova.conf with every registered option, its type, bounds, choices, default and help,
 * like oslo-config-generator's output. Every option line is commented out, so the sample loads as empty.
 */
export function renderSampleConfig(): string {
  const out: string[] = []
  const sections = SECTIONS as unknown as Record<string, Record<string, AnyOpt>>
  for (const [section, opts] of Object.entries(sections)) {
    out.push(`[${section}]`, '')
    for (const [name, opt] of Object.entries(opts)) {
      for (const l of wrap(opt.help)) out.push(`# ${l}`)
      const facts = [`${opt.kind} value`]
      if (opt.min !== undefined) facts.push(`minimum ${opt.min}`)
      if (opt.max !== undefined) facts.push(`maximum ${opt.max}`)
      if (opt.choices !== undefined) facts.push(`choices: ${opt.choices.join(', ')}`)
      if (opt.secret) facts.push('secret')
      if (opt.deprecatedNames.length > 0) facts.push(`formerly ${opt.deprecatedNames.join(', ')}`)
      out.push(`# (${facts.join('; ')})`)
      out.push(`#${name} = ${defaultText(opt)}`, '')
    }
  }
  return `${out.join('\n')}\n`
}
