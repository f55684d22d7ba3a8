// Parsers for the values of single query parameters of GET /allocation_candidates (and of the other placement
// routes that take the same syntax): resources, required, member_of, in_tree.
import { PlacementQueryError } from './query-error.js'

const RESOURCE_CLASS_NAME = /^[A-Z0-9_]+$/
const INTEGER = /^[+-]?\d+(?:_\d+)*$/
const FORM = '?resources=VCPU:2,MEMORY_MB:1024'

/** `VCPU:1,MEMORY_MB:512` → class → amount (a class named twice keeps its last amount). */
export function parseResources(value: string): Map<string, number> {
  if (value.trim() === '') {
    throw new PlacementQueryError(
      `Badly formed resources parameter. Expected resources query string parameter in form: ${FORM}. Got: empty string.`,
    )
  }
  const resources = new Map<string, number>()
  for (const item of value.split(',')) {
    const parts = item.split(':')
    if (parts.length !== 2) {
      throw new PlacementQueryError(
        `Badly formed resources parameter. Expected resources query string parameter in form: ${FORM}. Got: ${item}.`,
      )
    }
    const [name, rawAmount] = parts as [string, string]
    const trimmed = rawAmount.trim()
    if (!INTEGER.test(trimmed)) {
      throw new PlacementQueryError(
        `Requested resource ${name} expected positive integer amount. Got: ${rawAmount}.`,
      )
    }
    const amount = Number(trimmed.replace(/_/g, ''))
    if (amount < 1) {
      throw new PlacementQueryError(`Requested resource ${name} requires amount >= 1. Got: ${amount}.`)
    }
    if (!RESOURCE_CLASS_NAME.test(name)) {
      throw new PlacementQueryError(
        `Invalid resource class in resources parameter: No such resource class ${name}.`,
      )
    }
    resources.set(name, amount)
  }
  return resources
}

export interface ParsedTraits {
  /** Each set needs one of its traits; a one-trait set is a plain required trait. */
  readonly anyOf: string[][]
  readonly forbidden: string[]
}

/**
 * One `required` value: `A,!B` (forbidden with `!` from 1.22) or `in:A,B` (one of them, from 1.39).
 * `allowAnyOf` is false for `root_required`, which never takes `in:`.
 */
export function parseTraits(value: string, allowForbidden: boolean, allowAnyOf: boolean): ParsedTraits {
  if (value.startsWith('in:')) {
    if (!allowAnyOf) {
      throw new PlacementQueryError(
        'Invalid query string parameters: The format ' +
          `'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39. Got: ${value}`,
      )
    }
    const names = [
      ...new Set(
        value
          .slice(3)
          .split(',')
          .map((s) => s.trim()),
      ),
    ]
    if (names.some((name) => name === '')) {
      throw new PlacementQueryError(
        "Invalid query string parameters: Expected 'required' parameter value of the form: " +
          `in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: ${value}`,
      )
    }
    if (names.some((name) => name.startsWith('!'))) {
      throw new PlacementQueryError(
        "Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' does not support " +
          `forbidden traits. Got: ${value}`,
      )
    }
    return { anyOf: [names], forbidden: [] }
  }
  const items = value.split(',').map((s) => s.trim())
  // Any number of leading '!' means forbidden (upstream strips them all).
  const forbidden = [...new Set(items.filter((s) => s.startsWith('!')).map((s) => s.replace(/^!+/, '')))]
  if (items.some((s) => s === '') || forbidden.some((s) => s === '')) {
    const form = allowForbidden ? 'HW_CPU_X86_VMX,!CUSTOM_MAGIC' : 'HW_CPU_X86_VMX,CUSTOM_MAGIC'
    throw new PlacementQueryError(
      `Invalid query string parameters: Expected 'required' parameter value of the form: ${form}. ` +
        `Got an empty trait in: ${value}`,
    )
  }
  if (forbidden.length > 0 && !allowForbidden) {
    throw new PlacementQueryError(
      "Invalid query string parameters: Expected 'required' parameter value of the form: " +
        `HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: ${value}`,
    )
  }
  const required = [...new Set(items.filter((s) => !s.startsWith('!')))]
  return { anyOf: required.map((name) => [name]), forbidden }
}

/**
 * What uuidutils.is_uuid_like accepts: 32 hex digits once hyphens, braces and `urn:`/`uuid:` prefixes are
 * dropped.
 */
export function isUuidLike(value: string): boolean {
  const bare = value
    .replace(/urn:/g, '')
    .replace(/uuid:/g, '')
    .replace(/^[{}]+|[{}]+$/g, '')
    .replace(/-/g, '')
  return /^[0-9a-fA-F]{32}$/.test(bare)
}

export interface ParsedMemberOf {
  /** Aggregates of which the provider must be in at least one; empty for a negative value. */
  readonly anyOf: string[]
  readonly forbidden: string[]
}

/** One `member_of` value: `uuid`, `in:u1,u2`, `!uuid` or `!in:u1,u2`. */
export function parseMemberOf(value: string): ParsedMemberOf {
  if (value.includes(',') && !value.startsWith('in:') && !value.startsWith('!in:')) {
    throw new PlacementQueryError(
      "Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword using the valid " +
        `microversion. Got: ${value}`,
    )
  }
  let parsed: ParsedMemberOf
  if (value.startsWith('!in:')) parsed = { anyOf: [], forbidden: value.slice(4).split(',') }
  else if (value.startsWith('!')) parsed = { anyOf: [], forbidden: [value.slice(1)] }
  else if (value.startsWith('in:')) parsed = { anyOf: value.slice(3).split(','), forbidden: [] }
  else parsed = { anyOf: [value], forbidden: [] }
  for (const uuid of [...parsed.anyOf, ...parsed.forbidden]) {
    if (!isUuidLike(uuid)) {
      throw new PlacementQueryError(
        `Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: ${uuid}`,
      )
    }
  }
  return { anyOf: [...new Set(parsed.anyOf)], forbidden: [...new Set(parsed.forbidden)] }
}

/** `in_tree`: a provider uuid (surrounding blanks ignored). */
export function parseInTree(value: string): string {
  const uuid = value.trim()
  if (!isUuidLike(uuid)) {
    throw new PlacementQueryError(
      `Invalid query string parameters: Expected 'in_tree' parameter to be a format of uuid. Got: ${value}`,
    )
  }
  return uuid
}
