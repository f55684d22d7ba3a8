import { NovaError } from './base.js'
import { errorClassFor } from './registry.js'

/** How an error travels over the bus. */
export interface WireError {
  readonly code: string
  readonly message: string
  readonly details?: Readonly<Record<string, unknown>>
}

/**
 * An error raised by a remote service whose code this process does not know (an older or newer peer).
 * It keeps the remote code, so nothing is silently turned into a generic Error.
 */
export class RemoteError extends NovaError {
  static override readonly code: string = 'RemoteError'
  readonly remoteCode: string
  constructor(remoteCode: string, message: string, details?: Readonly<Record<string, unknown>>) {
    super(message, details === undefined ? {} : { details })
    this.remoteCode = remoteCode
  }
}

export function errorToWire(error: unknown): WireError {
  if (error instanceof RemoteError) {
    return { code: error.remoteCode, message: error.message, details: error.details }
  }
  if (error instanceof NovaError) {
    return { code: error.code, message: error.message, details: error.details }
  }
  // Unexpected errors keep their message but not their stack: the stack is logged where it happened.
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'UnexpectedError', message }
}

/** Rebuilds the same error class on the caller's side; unknown codes become `RemoteError`. */
export function errorFromWire(wire: WireError): NovaError {
  const cls = errorClassFor(wire.code)
  if (cls === undefined) return new RemoteError(wire.code, wire.message, wire.details)
  const error = Object.create(cls.prototype) as NovaError
  const fields: Record<string, unknown> = {
    message: wire.message,
    code: cls.code,
    status: cls.status,
    details: wire.details ?? {},
    name: cls.code,
  }
  for (const [key, value] of Object.entries(fields)) {
    Object.defineProperty(error, key, {
      value,
      enumerable: key !== 'message',
      writable: true,
      configurable: true,
    })
  }
  Error.captureStackTrace(error, errorFromWire)
  return error
}
