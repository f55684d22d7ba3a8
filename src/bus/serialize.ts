import { Invalid } from '../common/errors/index.js'

/**
 * JSON round trip of a payload, the way every transport carries it. Values JSON cannot carry faithfully
 * (functions, symbols, bigint, cyclic structures, class instances other than Date) are refused with Invalid,
 * so the in-process bus fails where RabbitMQ would.
 */
export function encodePayload(value: unknown, what: string): string {
  checkSerialisable(value, what, new Set())
  return JSON.stringify(value)
}

function checkSerialisable(value: unknown, path: string, seen: Set<object>): void {
  if (value === null || value === undefined) return
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) throw new Invalid(`${path} is ${value}, which JSON cannot carry`)
      return
    case 'object': {
      if (seen.has(value)) throw new Invalid(`${path} is cyclic and cannot be sent over the bus`)
      if (value instanceof Date) return
      const proto = Object.getPrototypeOf(value) as unknown
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        throw new Invalid(
          `${path} is a ${(value as object).constructor.name}, not plain data; it cannot be sent over the bus`,
        )
      }
      seen.add(value)
      for (const [key, child] of Object.entries(value)) checkSerialisable(child, `${path}.${key}`, seen)
      seen.delete(value)
      return
    }
    default:
      throw new Invalid(`${path} is a ${typeof value}, which cannot be sent over the bus`)
  }
}
