import type { NovaError } from './base.js'

/** Every error class by its stable code; filled by `defineError` and by the family bases in `index.ts`. */
const byCode = new Map<string, typeof NovaError>()

export function registerError(code: string, cls: typeof NovaError): void {
  const existing = byCode.get(code)
  if (existing !== undefined && existing !== cls) {
    throw new Error(`error code ${code} is defined twice`)
  }
  byCode.set(code, cls)
}

export function errorClassFor(code: string): typeof NovaError | undefined {
  return byCode.get(code)
}

export function registeredErrorCodes(): string[] {
  return [...byCode.keys()].sort()
}
