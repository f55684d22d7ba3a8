import { Conflict, Forbidden, Invalid, NotFound, Unauthorized } from './base.js'
import { defineError } from './define-error.js'

// Errors of the identity service (Keystone v3). Messages follow Keystone's where clients show them.

export const IdentityEntityNotFound = defineError(
  'IdentityEntityNotFound',
  NotFound,
  (d: { entity: string; id: string }) => `Could not find ${d.entity}: ${d.id}.`,
)
export const IdentityDuplicate = defineError(
  'IdentityDuplicate',
  Conflict,
  (d: { entity: string; detail: string }) =>
    `Conflict occurred attempting to store ${d.entity} - ${d.detail}.`,
)
/** Wrong password or unknown user: one message for both, so that users cannot be enumerated. */
export const AuthenticationFailed = defineError(
  'AuthenticationFailed',
  Unauthorized,
  (_d: Record<string, never>) => 'The request you have made requires authentication.',
)
export const TokenNotValid = defineError(
  'TokenNotValid',
  NotFound,
  (d: { reason: string }) => `Failed to validate token (${d.reason}).`,
)
export const IdentityForbidden = defineError(
  'IdentityForbidden',
  Forbidden,
  (d: { action: string }) => `You are not authorized to perform the requested action: ${d.action}.`,
)
export const IdentityValidationError = defineError(
  'IdentityValidationError',
  Invalid,
  (d: { detail: string }) => `Invalid input: ${d.detail}`,
)
