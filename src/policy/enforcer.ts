import { evaluate, type Credentials, type Target } from './evaluate.js'
import { parseRule, type Check } from './rule-parser.js'

/** A rule a service registers, with its default check (oslo.policy's RuleDefault / DocumentedRuleDefault). */
export interface RuleDefault {
  readonly name: string
  readonly check: string
  readonly description: string
  /** The API calls it governs, e.g. `GET /v3/projects`. */
  readonly operations?: readonly string[]
}

/**
 * oslo.policy's Enforcer: the registered defaults, overridden by an operator's policy file. Rules are parsed
 * once; `authorize` evaluates one against a target and the caller's credentials. An unknown rule name is a bug
 * and throws (oslo's PolicyNotRegistered).
 */
export class PolicyEnforcer {
  readonly #defaults: ReadonlyMap<string, RuleDefault>
  readonly #rules: Map<string, Check>
  readonly #texts: Map<string, string>

  constructor(defaults: readonly RuleDefault[], overrides: ReadonlyMap<string, string> = new Map()) {
    this.#defaults = new Map(defaults.map((d) => [d.name, d]))
    this.#rules = new Map()
    this.#texts = new Map()
    for (const d of defaults) this.#set(d.name, d.check)
    for (const [name, text] of overrides) this.#set(name, text)
  }

  #set(name: string, text: string): void {
    this.#rules.set(name, parseRule(text))
    this.#texts.set(name, text)
  }

  /** True when the caller may do `name` on `target`. */
  authorize(name: string, target: Target, creds: Credentials): boolean {
    const rule = this.#rules.get(name)
    if (rule === undefined) throw new Error(`policy ${name} is not registered`)
    return evaluate(rule, target, creds, this.#rules)
  }

  /** Every rule with its effective check (overridden or default) and description: `nova-manage policy list`. */
  list(): { name: string; check: string; description: string; overridden: boolean }[] {
    return [...this.#texts.entries()]
      .map(([name, check]) => {
        const d = this.#defaults.get(name)
        return {
          name,
          check,
          description: d?.description ?? '',
          overridden: d === undefined || d.check !== check,
        }
      })
      .sort((a, b) => a.name.localeCompare(b.name))
  }
}
