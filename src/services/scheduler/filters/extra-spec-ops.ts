// The small operator language of flavor extra specs, as ComputeCapabilitiesFilter and
// AggregateInstanceExtraSpecsFilter read it: `<op> <operand>` where the host side is a string.
import { comparePyStrings, parsePyFloat } from './py.js'

type Compare = (value: string, operand: string) => boolean

/** A numeric comparison; a side that is not a number never matches (Nova would raise ValueError instead). */
const numeric =
  (test: (a: number, b: number) => boolean): Compare =>
  (value, operand) => {
    const a = parsePyFloat(value)
    const b = parsePyFloat(operand)
    return a !== undefined && b !== undefined && test(a, b)
  }

const lexical =
  (test: (order: number) => boolean): Compare =>
  (value, operand) =>
    test(comparePyStrings(value, operand))

/** Operators taking one operand, by their word. `=` means "at least" (numeric >=), as in Nova. */
const SINGLE: Readonly<Record<string, Compare>> = {
  '=': numeric((a, b) => a >= b),
  '==': numeric((a, b) => a === b),
  '!=': numeric((a, b) => a !== b),
  '>=': numeric((a, b) => a >= b),
  '<=': numeric((a, b) => a <= b),
  's==': lexical((o) => o === 0),
  's!=': lexical((o) => o !== 0),
  's<': lexical((o) => o < 0),
  's<=': lexical((o) => o <= 0),
  's>': lexical((o) => o > 0),
  's>=': lexical((o) => o >= 0),
  '<in>': (value, operand) => value.includes(operand),
}

/** Every operator word the language knows. */
export const EXTRA_SPEC_OPERATORS: readonly string[] = [...Object.keys(SINGLE), '<all-in>', '<or>']

/**
 * Whether a host-side `value` satisfies the requirement `req`:
 * - `= N`, `== N`, `!= N`, `>= N`, `<= N`: numeric (`=` is >=);
 * - `s== x`, `s!= x`, `s< x`, `s<= x`, `s> x`, `s>= x`: string comparison by code point;
 * - `<in> x`: x is a substring of the value; `<all-in> x y …`: every word is a substring;
 * - `<or> a <or> b …`: the value equals one of the words;
 * - anything else: the value equals `req` exactly.
 * Words are separated by whitespace; single-operand operators use the first word only. An operator
 * without operand, or an absent value (undefined), never matches.
 */
export function matchExtraSpec(value: string | undefined, req: string): boolean {
  const words = req.split(/\s+/).filter((w) => w !== '')
  const op = words.shift()
  const single = op === undefined ? undefined : SINGLE[op]
  if (op !== '<or>' && op !== '<all-in>' && single === undefined) return value === req
  if (value === undefined) return false
  if (op === '<or>') {
    // a <or> b <or> c: the words at even positions are the choices, the odd ones the `<or>` keywords.
    return words.some((word, i) => i % 2 === 0 && word === value)
  }
  if (words.length === 0) return false
  if (op === '<all-in>') return words.every((w) => value.includes(w))
  return single!(value, words[0]!)
}
