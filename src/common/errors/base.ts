/**
 * The error base every nova-ts error derives from. An error has a stable `code` (never reused once
 * removed), an HTTP-ish `status` from its family, and serialisable `details`. Errors cross the bus as
 * `{ code, message, details }` and are rebuilt as the same class on the caller (see `wire.ts`).
 */
export interface NovaErrorOptions {
  readonly details?: Readonly<Record<string, unknown>>
  readonly cause?: unknown
}

export class NovaError extends Error {
  /** Stable code; for a class made by `defineError` it is the class name, e.g. `InstanceNotFound`. */
  static readonly code: string = 'NovaError'
  /** Status the API layer answers with for this family. */
  static readonly status: number = 500

  readonly code: string
  readonly status: number
  readonly details: Readonly<Record<string, unknown>>

  constructor(message: string, options: NovaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    const ctor = new.target as typeof NovaError
    this.code = ctor.code
    this.status = ctor.status
    this.details = options.details ?? {}
    this.name = ctor.code
  }
}

/** 400: the request is malformed or names something impossible (nova `Invalid`). */
export class Invalid extends NovaError {
  static override readonly code: string = 'Invalid'
  static override readonly status: number = 400
}
/** 401: the caller is not authenticated (no token, a bad one, wrong credentials). */
export class Unauthorized extends NovaError {
  static override readonly code: string = 'Unauthorized'
  static override readonly status: number = 401
}
/** 403: the caller may not do this (nova `Forbidden`). */
export class Forbidden extends NovaError {
  static override readonly code: string = 'Forbidden'
  static override readonly status: number = 403
}
/** 404: the thing does not exist or is not visible to the caller (nova `NotFound`). */
export class NotFound extends NovaError {
  static override readonly code: string = 'NotFound'
  static override readonly status: number = 404
}
/** 409: the thing is not in a state that allows this (nova `InstanceInvalidState`, `Conflict`). */
export class Conflict extends NovaError {
  static override readonly code: string = 'Conflict'
  static override readonly status: number = 409
}
/** 413: a quota or size limit was hit (nova `OverQuota`). */
export class OverLimit extends NovaError {
  static override readonly code: string = 'OverLimit'
  static override readonly status: number = 413
}
/** 503: a dependency is unreachable or timed out; retrying later may work. */
export class Unavailable extends NovaError {
  static override readonly code: string = 'Unavailable'
  static override readonly status: number = 503
}

export type ErrorFamily =
  | typeof NovaError
  | typeof Invalid
  | typeof Unauthorized
  | typeof Forbidden
  | typeof NotFound
  | typeof Conflict
  | typeof OverLimit
  | typeof Unavailable
