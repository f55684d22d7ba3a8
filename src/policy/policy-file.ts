import { readFileSync } from 'node:fs'
import { Invalid } from '../common/errors/index.js'

/**
 * Reads an oslo.policy override file: JSON, or the flat YAML mapping oslo writes (`"name": "rule"` per line,
 * `#` comments). Returns rule name → rule text. A file that is neither is Invalid naming the file and line.
 */
export function readPolicyFile(file: string): Map<string, string> {
  const text = readFileSync(file, 'utf8')
  const rules = new Map<string, string>()
  if (text.trimStart().startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw new Invalid(`${file}: not valid JSON: ${(error as Error).message}`)
    }
    for (const [name, rule] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof rule !== 'string') throw new Invalid(`${file}: the rule for ${name} is not a string`)
      rules.set(name, rule)
    }
    return rules
  }
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line === '---') return
    const match = /^("[^"]+"|'[^']+'|[^:'"\s]+)\s*:\s*(.*)$/.exec(line)
    if (match === null) throw new Invalid(`${file}:${i + 1}: expected "rule name": "rule"`)
    const unquote = (s: string) =>
      s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0] ? s.slice(1, -1) : s
    rules.set(unquote(match[1]!), unquote(match[2]!.trim()))
  })
  return rules
}
