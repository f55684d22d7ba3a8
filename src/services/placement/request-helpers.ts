import type { FastifyRequest } from 'fastify'
import { badRequest, PlacementError } from './errors.js'
import type { Microversion } from './microversion.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The placement microversion this request asked for. */
    placementVersion?: Microversion
  }
}

export const mv = (request: FastifyRequest): Microversion =>
  request.placementVersion ?? { major: 1, minor: 0 }
/** True when the request's microversion is at least 1.`minor`. */
export const atLeast = (request: FastifyRequest, minor: number): boolean => mv(request).minor >= minor

/** 404 for routes that do not exist below a microversion (as placement answers them). */
export function requireVersion(request: FastifyRequest, minor: number): void {
  if (!atLeast(request, minor)) throw new PlacementError(404, 'The resource could not be found.')
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i

/** A uuid in placement's canonical dashed lower-case form, or undefined if it is not one. */
export function normaliseUuid(value: unknown): string | undefined {
  if (typeof value !== 'string' || !UUID.test(value)) return undefined
  const hex = value.replace(/-/g, '').toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The request body as an object, or 400 in placement's words. */
export function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('Malformed JSON: the request body must be a JSON object.')
  return body as Record<string, unknown>
}

export function invalid(message: string): never {
  throw badRequest(`JSON does not validate: ${message}`)
}

export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[], where = 'body'): void {
  for (const key of Object.keys(body))
    if (!allowed.includes(key))
      invalid(`Additional properties are not allowed ('${key}' was unexpected) in ${where}`)
}

export function intField(
  body: Record<string, unknown>,
  key: string,
  opts: { min?: number; max?: number; required?: boolean } = {},
): number | undefined {
  const value = body[key]
  if (value === undefined) {
    if (opts.required === true) invalid(`'${key}' is a required property`)
    return undefined
  }
  if (typeof value !== 'number' || !Number.isInteger(value))
    invalid(`${JSON.stringify(value)} is not of type 'integer' ('${key}')`)
  if (opts.min !== undefined && value < opts.min)
    invalid(`${value} is less than the minimum of ${opts.min} ('${key}')`)
  if (opts.max !== undefined && value > opts.max)
    invalid(`${value} is greater than the maximum of ${opts.max} ('${key}')`)
  return value
}

export function stringField(
  body: Record<string, unknown>,
  key: string,
  opts: { required?: boolean; maxLength?: number; nullable?: boolean } = {},
): string | null | undefined {
  const value = body[key]
  if (value === undefined) {
    if (opts.required === true) invalid(`'${key}' is a required property`)
    return undefined
  }
  if (value === null && opts.nullable === true) return null
  if (typeof value !== 'string') invalid(`${JSON.stringify(value)} is not of type 'string' ('${key}')`)
  if (value.length < 1) invalid(`'' is too short ('${key}')`)
  if (opts.maxLength !== undefined && value.length > opts.maxLength) invalid(`'${key}' is too long`)
  return value
}

/** Query parameters as fastify parsed them (a repeated key gives an array). */
export const queryOf = (request: FastifyRequest): Record<string, string | string[]> =>
  (request.query ?? {}) as Record<string, string | string[]>

export function single(query: Record<string, string | string[]>, key: string): string | undefined {
  const value = query[key]
  if (Array.isArray(value)) {
    if (value.length > 1)
      throw badRequest(`Query parameter '${key}' may only be given once.`, 'placement.query.duplicate_key')
    return value[0]
  }
  return value
}
