import { Conflict, Invalid, NovaError, NotFound, Unavailable } from './base.js'
import { defineError } from './define-error.js'

// Errors of the shared platform: configuration, database, bus, services.

export const ConfigValueInvalid = defineError(
  'ConfigValueInvalid',
  Invalid,
  (d: { section: string; option: string; file: string; line: number; reason: string }) =>
    `${d.file}:${d.line}: invalid value for option [${d.section}] ${d.option}: ${d.reason}`,
)
export const ConfigFileUnreadable = defineError(
  'ConfigFileUnreadable',
  Invalid,
  (d: { file: string; reason: string }) => `cannot read configuration file ${d.file}: ${d.reason}`,
)
export const ConfigSyntaxError = defineError(
  'ConfigSyntaxError',
  Invalid,
  (d: { file: string; line: number; reason: string }) => `${d.file}:${d.line}: ${d.reason}`,
)

export const DatabaseUrlInvalid = defineError(
  'DatabaseUrlInvalid',
  Invalid,
  (d: { url: string; reason: string }) => `invalid database connection URL ${d.url}: ${d.reason}`,
)
export const DatabaseUnavailable = defineError(
  'DatabaseUnavailable',
  Unavailable,
  (d: { reason: string }) => `database unavailable: ${d.reason}`,
)
/** An optimistic state transition lost: the row was no longer in the expected state. */
export const UnexpectedStateError = defineError(
  'UnexpectedStateError',
  Conflict,
  (d: { table: string; id: string; field: string; expected: unknown; actual: unknown }) =>
    `${d.table} ${d.id}: unexpected ${d.field}: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}`,
)
export const RowNotFound = defineError(
  'RowNotFound',
  NotFound,
  (d: { table: string; id: string }) => `${d.table} ${d.id} could not be found.`,
)

export const TransportUrlInvalid = defineError(
  'TransportUrlInvalid',
  Invalid,
  (d: { url: string; reason: string }) => `invalid transport_url ${d.url}: ${d.reason}`,
)
/** A `call` got no reply within `rpc_response_timeout` (oslo.messaging `MessagingTimeout`). */
export const MessagingTimeout = defineError(
  'MessagingTimeout',
  Unavailable,
  (d: { topic: string; server?: string; method: string; timeoutMs: number }) =>
    `Timed out waiting for a reply to ${d.method} on ${d.server === undefined ? d.topic : `${d.topic}.${d.server}`} after ${d.timeoutMs} ms`,
)
export const TransportClosed = defineError(
  'TransportClosed',
  Unavailable,
  (d: { reason: string }) => `message bus closed: ${d.reason}`,
)
/** The server does not implement the method or the requested major version (oslo `UnsupportedVersion`). */
export const UnsupportedRpcVersion = defineError(
  'UnsupportedRpcVersion',
  Invalid,
  (d: { topic: string; version: string; supported: string }) =>
    `endpoint ${d.topic} does not support RPC version ${d.version} (serves ${d.supported})`,
)
export const RpcMethodNotFound = defineError(
  'RpcMethodNotFound',
  NotFound,
  (d: { topic: string; method: string }) => `endpoint ${d.topic} has no method ${d.method}`,
)

export const ServiceNotFound = defineError(
  'ServiceNotFound',
  NotFound,
  (d: { id: string }) => `Service ${d.id} could not be found.`,
)
export const ServiceBinaryExists = defineError(
  'ServiceBinaryExists',
  Conflict,
  (d: { host: string; binary: string }) => `Service with host ${d.host} binary ${d.binary} exists.`,
)

/** Raised where code is reached that the caller should never reach: a bug, reported as a 500. */
export class InternalError extends NovaError {
  static override readonly code: string = 'InternalError'
}
