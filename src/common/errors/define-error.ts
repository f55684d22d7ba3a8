import type { NovaError, ErrorFamily, NovaErrorOptions } from './base.js'
import { registerError } from './registry.js'

export interface DefinedError<D extends Record<string, unknown>> {
  new (details: D, options?: Omit<NovaErrorOptions, 'details'>): NovaError & { readonly details: Readonly<D> }
  readonly code: string
  readonly status: number
}

/**
 * Defines a concrete error: `code` is stable and unique, `family` gives the status, `message` renders the
 * details. The class is registered so that it can be rebuilt when it arrives over the bus.
 *
 *   export const InstanceNotFound = defineError('InstanceNotFound', NotFound,
 *     (d: { instanceId: string }) => `Instance ${d.instanceId} could not be found.`)
 */
export function defineError<D extends Record<string, unknown>>(
  code: string,
  family: ErrorFamily,
  message: (details: D) => string,
): DefinedError<D> {
  const Base = family as typeof NovaError
  const cls = class extends Base {
    static override readonly code = code
    constructor(details: D, options: Omit<NovaErrorOptions, 'details'> = {}) {
      super(message(details), { ...options, details })
    }
  }
  Object.defineProperty(cls, 'name', { value: code })
  registerError(code, cls as unknown as typeof NovaError)
  return cls as unknown as DefinedError<D>
}
