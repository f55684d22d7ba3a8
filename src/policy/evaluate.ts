import type { Check } from './rule-parser.js'

/** What a policy check knows about the caller (oslo.context's to_policy_values). */
export interface Credentials {
  readonly user_id?: string
  readonly project_id?: string
  readonly domain_id?: string
  readonly system_scope?: string
  readonly roles: readonly string[]
  readonly is_admin?: boolean
  readonly [key: string]: unknown
}

/** The resource acted on, as flat keys (`project_id`) or nested (`target.project.id`). */
export type Target = Readonly<Record<string, unknown>>

function lookup(target: Target, key: string): unknown {
  if (Object.hasOwn(target, key)) return target[key]
  let value: unknown = target
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/**
 * Evaluates a parsed check. `%(key)s` in a match value is replaced from the target (a missing key never
 * matches); `True`/`False` compare with booleans; `rule:` looks up `rules` (an unknown rule is false).
 */
export function evaluate(
  check: Check,
  target: Target,
  creds: Credentials,
  rules: ReadonlyMap<string, Check>,
  depth = 0,
): boolean {
  if (depth > 50) return false
  switch (check.kind) {
    case 'true':
      return true
    case 'false':
      return false
    case 'role':
      return creds.roles.some((r) => r.toLowerCase() === check.role)
    case 'rule': {
      const rule = rules.get(check.name)
      return rule !== undefined && evaluate(rule, target, creds, rules, depth + 1)
    }
    case 'not':
      return !evaluate(check.check, target, creds, rules, depth + 1)
    case 'and':
      return check.checks.every((c) => evaluate(c, target, creds, rules, depth + 1))
    case 'or':
      return check.checks.some((c) => evaluate(c, target, creds, rules, depth + 1))
    case 'match': {
      const actual = creds[check.field]
      const sub = /^%\((.+)\)s$/.exec(check.value)
      if (sub !== null) {
        const wanted = lookup(target, sub[1]!)
        return (
          wanted !== undefined && wanted !== null && actual !== undefined && String(actual) === String(wanted)
        )
      }
      if (check.value === 'True' || check.value === 'False') return actual === (check.value === 'True')
      if (actual === undefined || actual === null) return false
      return String(actual) === check.value
    }
  }
}
