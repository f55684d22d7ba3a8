import { Invalid } from '../common/errors/index.js'

/** A parsed oslo.policy check. */
export type Check =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'rule'; readonly name: string }
  | { readonly kind: 'role'; readonly role: string }
  /** `field:value`: the credential `field` must equal `value` (a literal or a `%(target.key)s` substitution). */
  | { readonly kind: 'match'; readonly field: string; readonly value: string }
  | { readonly kind: 'not'; readonly check: Check }
  | { readonly kind: 'and'; readonly checks: readonly Check[] }
  | { readonly kind: 'or'; readonly checks: readonly Check[] }

/**
 * Parses oslo.policy's rule language: `@` (always), `!` (never), `role:NAME`, `rule:NAME`, `FIELD:VALUE`
 * (VALUE a literal, `'quoted'`, `True`/`False`, or `%(target.field)s`), `not X`, `X and Y`, `X or Y` (and binds
 * tighter than or) and parentheses. The empty rule means always. Syntax errors are Invalid naming the rule.
 */
export function parseRule(text: string): Check {
  const tokens = tokenize(text)
  if (tokens.length === 0) return { kind: 'true' }
  let pos = 0
  const fail = (reason: string): never => {
    throw new Invalid(`policy rule ${JSON.stringify(text)}: ${reason}`)
  }
  const peek = (): string | undefined => tokens[pos]
  const orExpr = (): Check => {
    const checks = [andExpr()]
    while (peek() === 'or') {
      pos++
      checks.push(andExpr())
    }
    return checks.length === 1 ? checks[0]! : { kind: 'or', checks }
  }
  const andExpr = (): Check => {
    const checks = [notExpr()]
    while (peek() === 'and') {
      pos++
      checks.push(notExpr())
    }
    return checks.length === 1 ? checks[0]! : { kind: 'and', checks }
  }
  const notExpr = (): Check => {
    if (peek() === 'not') {
      pos++
      return { kind: 'not', check: notExpr() }
    }
    return atom()
  }
  const atom = (): Check => {
    const token = tokens[pos++]
    if (token === undefined) return fail('ends too early')
    if (token === '(') {
      const inner = orExpr()
      if (tokens[pos++] !== ')') fail('a parenthesis is not closed')
      return inner
    }
    if (token === '@') return { kind: 'true' }
    if (token === '!') return { kind: 'false' }
    const colon = token.indexOf(':')
    if (colon <= 0) return fail(`${JSON.stringify(token)} is not a check (kind:value)`)
    const kind = token.slice(0, colon)
    const value = unquote(token.slice(colon + 1))
    if (kind === 'rule') return { kind: 'rule', name: value }
    if (kind === 'role') return { kind: 'role', role: value.toLowerCase() }
    if (kind === 'http' || kind === 'https') return fail('http checks are not supported')
    return { kind: 'match', field: kind, value }
  }
  const result = orExpr()
  if (pos !== tokens.length) fail(`unexpected ${JSON.stringify(tokens[pos])}`)
  return result
}

function unquote(v: string): string {
  return v.length >= 2 && (v[0] === "'" || v[0] === '"') && v.at(-1) === v[0] ? v.slice(1, -1) : v
}

function tokenize(text: string): string[] {
  const tokens: string[] = []
  let current = ''
  const flush = (): void => {
    if (current !== '') tokens.push(current)
    current = ''
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '%' && text[i + 1] === '(') {
      // A `%(key)s` substitution is part of the check it is in, parentheses included.
      const end = text.indexOf(')s', i)
      if (end < 0) throw new Invalid(`policy rule ${JSON.stringify(text)}: unterminated %(...)s`)
      current += text.slice(i, end + 2)
      i = end + 1
    } else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1)
      if (end < 0) throw new Invalid(`policy rule ${JSON.stringify(text)}: unterminated quote`)
      current += text.slice(i, end + 1)
      i = end
    } else if (c === '(' || c === ')') {
      flush()
      tokens.push(c)
    } else if (/\s/.test(c)) flush()
    else current += c
  }
  flush()
  return tokens
}
