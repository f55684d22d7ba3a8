import type { FastifyRequest } from 'fastify'
import {
  AuthenticationFailed,
  IdentityForbidden,
  IdentityValidationError,
} from '../../common/errors/index.js'
import type { Credentials, PolicyEnforcer, Target } from '../../policy/index.js'
import type { TokenPayload } from './tokens/token-format.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated token of the caller (X-Auth-Token); undefined on the routes that need none. */
    caller?: TokenPayload
  }
  interface FastifyInstance {
    /** The identity policy (defaults + the operator's policy file). */
    policy: PolicyEnforcer
  }
}

export function callerOf(request: FastifyRequest): TokenPayload {
  if (request.caller === undefined) throw new AuthenticationFailed({})
  return request.caller
}

/** A token as oslo.policy sees the caller. */
export function credentialsOf(token: TokenPayload): Credentials {
  return {
    user_id: token.userId,
    ...(token.projectId === undefined ? {} : { project_id: token.projectId }),
    ...(token.domainId === undefined ? {} : { domain_id: token.domainId }),
    ...(token.system === true ? { system_scope: 'all' } : {}),
    roles: token.roles.map((r) => r.name),
    is_admin: token.roles.some((r) => r.name === 'admin'),
  }
}

/** Enforces the named policy on the target for the caller; 403 naming the rule when refused. */
export function authorize(request: FastifyRequest, action: string, target: Target = {}): TokenPayload {
  const caller = callerOf(request)
  if (!request.server.policy.authorize(action, target, credentialsOf(caller)))
    throw new IdentityForbidden({ action })
  return caller
}

/** Whether the policy allows the action, without refusing (for filtering what a caller sees). */
export function allowed(request: FastifyRequest, action: string, target: Target = {}): boolean {
  return (
    request.caller !== undefined &&
    request.server.policy.authorize(action, target, credentialsOf(request.caller))
  )
}

type Json = Record<string, unknown>

/** The object under `key` in a JSON body, e.g. `{"project": {...}}`; 400 otherwise. */
export function bodyObject(body: unknown, key: string): Json {
  const outer = body as Json | undefined
  const inner = outer?.[key]
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) {
    throw new IdentityValidationError({ detail: `the request body must be {"${key}": {...}}` })
  }
  return inner as Json
}

export function optionalString(o: Json, key: string): string | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new IdentityValidationError({ detail: `${key} must be a string` })
  return v
}

export function requiredString(o: Json, key: string, maxLength = 255): string {
  const v = optionalString(o, key)
  if (v === undefined || v.trim() === '') throw new IdentityValidationError({ detail: `${key} is required` })
  if (v.length > maxLength)
    throw new IdentityValidationError({ detail: `${key} is longer than ${maxLength} characters` })
  return v
}

export function optionalBool(o: Json, key: string): boolean | undefined {
  const v = o[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw new IdentityValidationError({ detail: `${key} must be a boolean` })
  return v
}

/** Query flags as Keystone reads them: present with no value, or true/1/yes. */
export function queryFlag(value: unknown): boolean | undefined {
  if (value === undefined) return undefined
  const v = String(value).toLowerCase()
  return v === '' || v === 'true' || v === '1' || v === 'yes'
}
