import {
  Conflict,
  Forbidden,
  Invalid,
  NotFound,
  NovaError,
  OverLimit,
  Unauthorized,
  Unavailable,
} from './base.js'
import { registerError } from './registry.js'
import { InternalError } from './platform.js'
import { RemoteError } from './wire.js'

for (const cls of [
  NovaError,
  Invalid,
  Unauthorized,
  Forbidden,
  NotFound,
  Conflict,
  OverLimit,
  Unavailable,
  InternalError,
  RemoteError,
]) {
  registerError(cls.code, cls as typeof NovaError)
}

export * from './base.js'
export { defineError, type DefinedError } from './define-error.js'
export { errorClassFor, registeredErrorCodes } from './registry.js'
export { errorFromWire, errorToWire, RemoteError, type WireError } from './wire.js'
export * from './platform.js'
export * from './compute.js'
export * from './identity.js'
export * from './image.js'
export * from './migration.js'
export * from './placement.js'
export * from './scheduler.js'
