import type { HostState } from '../host-state.js'
import { hostAttribute } from './host-attributes.js'
import type { HostFilter } from './host-filter.js'
import { comparePyStrings, pyTruthy } from './py.js'
import { schedulerHint } from './utils.js'

class QueryError extends Error {}

/** Python `==` for JSON values (True == 1, lists and dicts by content). */
function pyEquals(a: unknown, b: unknown): boolean {
  const num = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v)
  a = num(a)
  b = num(b)
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => pyEquals(v, b[i]))
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k], b[k]))
    )
  }
  return a === b
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Python ordering of two values: numbers (and booleans) by value, strings by code point; others cannot be ordered. */
function pyOrder(a: unknown, b: unknown): number {
  const num = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v)
  const x = num(a)
  const y = num(b)
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN
  if (typeof x === 'string' && typeof y === 'string') return comparePyStrings(x, y)
  throw new QueryError(`cannot compare ${typeof a} with ${typeof b}`)
}

/** The first argument compared with every other one; fewer than two arguments is false. */
const compareAll =
  (test: (a: unknown, b: unknown) => boolean) =>
  (args: unknown[]): boolean =>
    args.length >= 2 && args.slice(1).every((arg) => test(args[0], arg))

const COMMANDS: Readonly<Record<string, (args: unknown[]) => unknown>> = {
  '=': compareAll(pyEquals),
  '<': compareAll((a, b) => pyOrder(a, b) < 0),
  '>': compareAll((a, b) => pyOrder(a, b) > 0),
  '<=': compareAll((a, b) => pyOrder(a, b) <= 0),
  '>=': compareAll((a, b) => pyOrder(a, b) >= 0),
  in: (args) => args.length >= 2 && args.slice(1).some((arg) => pyEquals(args[0], arg)),
  not: (args) => args.map((arg) => !pyTruthy(arg)),
  or: (args) => args.some(pyTruthy),
  and: (args) => args.every(pyTruthy),
}

/** `$free_ram_mb` → the host's value; `$stats.key` descends into dicts; other strings are literals. */
function lookup(text: string, host: HostState): unknown {
  if (text === '') return undefined
  if (!text.startsWith('$')) return text
  const [first, ...rest] = text.slice(1).split('.')
  let value = hostAttribute(host, first!)
  for (const key of rest) {
    if (value === undefined || value === null) return undefined
    if (!isObject(value)) throw new QueryError(`${first} has no key ${key}`)
    value = Object.hasOwn(value, key) ? value[key] : undefined
  }
  return value ?? undefined
}

function evaluate(query: unknown, host: HostState): unknown {
  if (!pyTruthy(query)) return true
  if (!Array.isArray(query)) throw new QueryError('a query is a list')
  const [command, ...rest] = query as unknown[]
  const run = typeof command === 'string' && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
  if (run === undefined) throw new QueryError(`unknown command ${JSON.stringify(command)}`)
  const args: unknown[] = []
  for (const arg of rest) {
    const cooked = Array.isArray(arg)
      ? evaluate(arg, host)
      : typeof arg === 'string'
        ? lookup(arg, host)
        : arg
    if (cooked !== undefined && cooked !== null) args.push(cooked)
  }
  return run(args)
}

/**
 * Hint `query`: a JSON expression such as `["and", [">=", "$free_ram_mb", 1024], ["=", "$hypervisor_type",
 * "QEMU"]]` over `$`-prefixed HostState attributes (Nova's names; `$stats.key` reads a stat). Commands `=`, `<`,
 * `>`, `in`, `<=`, `>=` compare the first argument with the others; `not`, `or`, `and`. An argument that resolves
 * to nothing is dropped. A query that cannot be evaluated fails every host (Nova raises instead).
 */
export const JsonFilter: HostFilter = {
  name: 'JsonFilter',
  check(host, spec) {
    const hint = schedulerHint(spec, 'query')
    const text = typeof hint === 'string' ? hint : hint?.join('')
    if (text === undefined || text === '') return undefined
    let result: unknown
    try {
      result = evaluate(JSON.parse(text) as unknown, host)
    } catch (e) {
      if (e instanceof SyntaxError || e instanceof QueryError) return 'cannot evaluate the query hint'
      throw e
    }
    if (Array.isArray(result)) result = result.some(pyTruthy)
    return pyTruthy(result) ? undefined : 'does not match the query hint'
  },
}
