import type { FastifyRequest } from 'fastify'
import type { AggregateExpression, TraitExpression } from './candidates/model.js'
import { badRequest } from './errors.js'
import { atLeast, normaliseUuid } from './request-helpers.js'

const CLASS_NAME = /^[A-Z0-9_]+$/

/** `VCPU:1,MEMORY_MB:512` → class → amount (positive integers, each class once). */
export function parseResourcesParam(value: string, param: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const part of value.split(',')) {
    const [rc, amount, ...rest] = part.split(':')
    if (rc === undefined || amount === undefined || rest.length > 0 || !CLASS_NAME.test(rc.trim()))
      throw badRequest(
        `Badly formed ${param} parameter. Expected ${param} query string parameter in form: ?${param}=VCPU:2,MEMORY_MB:1024. Got: ${value}.`,
        'placement.query.bad_value',
      )
    const n = Number(amount)
    if (!/^\d+$/.test(amount.trim()) || !Number.isSafeInteger(n) || n < 1)
      throw badRequest(
        `Requested resource ${rc} expected positive integer amount. Got: ${amount}.`,
        'placement.query.bad_value',
      )
    if (out.has(rc.trim()))
      throw badRequest(
        `Duplicate resource class ${rc} in ${param} parameter.`,
        'placement.query.duplicate_key',
      )
    out.set(rc.trim(), n)
  }
  return out
}

/**
 * `T1,!T2,in:T3,T4` (repeatable from 1.39) → a trait expression: forbidden `!` from 1.22, `in:` any-of from
 * 1.39. A trait both required and forbidden is 400.
 */
export function parseTraitsParam(
  value: string | readonly string[],
  request: FastifyRequest,
  param: string,
): TraitExpression {
  const values = typeof value === 'string' ? [value] : value
  if (values.length > 1 && !atLeast(request, 39))
    throw badRequest(`Query parameter '${param}' may only be given once.`, 'placement.query.duplicate_key')
  const allOf: string[] = []
  const forbidden: string[] = []
  const anyOf: string[][] = []
  for (const v of values) {
    if (v.startsWith('in:') && atLeast(request, 39)) {
      const names = v
        .slice(3)
        .split(',')
        .map((n) => n.trim())
      if (names.some((n) => n === '' || n.startsWith('!')))
        throw badRequest(
          `Invalid query string parameters: '${param}' has a bad 'in:' list: ${v}`,
          'placement.query.bad_value',
        )
      anyOf.push(names)
      continue
    }
    for (const raw of v.split(',').map((n) => n.trim())) {
      if (raw === '')
        throw badRequest(
          `Invalid query string parameters: Expected '${param}' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty value.`,
          'placement.query.bad_value',
        )
      if (raw.startsWith('!') && atLeast(request, 22)) forbidden.push(raw.slice(1))
      else allOf.push(raw)
    }
  }
  const both = allOf.filter((t) => forbidden.includes(t))
  if (both.length > 0)
    throw badRequest(
      `Conflicting required and forbidden traits found in the following traits keys: ${param}: (${[...new Set(both)].join(', ')})`,
      'placement.query.bad_value',
    )
  return { allOf, forbidden, anyOf }
}

/** `member_of=in:a,b` (repeatable from 1.24, `!`/`!in:` from 1.32) → an aggregate expression. */
export function parseMemberOfParams(
  value: string | readonly string[],
  request: FastifyRequest,
): AggregateExpression {
  const values = typeof value === 'string' ? [value] : value
  if (values.length > 1 && !atLeast(request, 24))
    throw badRequest(`Query parameter 'member_of' may only be given once.`, 'placement.query.duplicate_key')
  const anyOf: string[][] = []
  const forbidden: string[] = []
  for (const v of values) {
    let text = v
    let negated = false
    if (text.startsWith('!') && atLeast(request, 32)) {
      negated = true
      text = text.slice(1)
    }
    const isList = text.startsWith('in:')
    const raw = (isList ? text.slice(3) : text).split(',')
    if (!isList && raw.length > 1)
      throw badRequest(
        `Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: ${v}`,
        'placement.query.bad_value',
      )
    const uuids = raw.map((u) => normaliseUuid(u.trim()))
    if (uuids.some((u) => u === undefined))
      throw badRequest(
        `Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: ${v}`,
        'placement.query.bad_value',
      )
    if (negated) forbidden.push(...(uuids as string[]))
    else anyOf.push(uuids as string[])
  }
  return { anyOf, forbidden }
}
