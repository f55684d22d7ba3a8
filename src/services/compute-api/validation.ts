import { isIPv4, isIPv6 } from 'node:net'
import { badRequest } from './faults.js'

/**
 * The subset of JSON Schema (draft 4) Nova's request schemas use, evaluated with Nova's error wording
 * (nova/api/validation/validators.py): "Invalid input for field/attribute <name>. Value: <value>. <reason>",
 * or the bare reason for the body itself.
 */
export interface Schema {
  readonly type?: JsonType | readonly JsonType[]
  readonly properties?: Readonly<Record<string, Schema>>
  readonly required?: readonly string[]
  readonly additionalProperties?: boolean | Schema
  readonly patternProperties?: Readonly<Record<string, Schema>>
  readonly minProperties?: number
  readonly maxProperties?: number
  readonly minLength?: number
  readonly maxLength?: number
  readonly pattern?: string
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: boolean
  readonly enum?: readonly unknown[]
  /** `name`: printable, no leading or trailing whitespace (Nova's format checker); `ipv4`/`ipv6`: an address. */
  readonly format?: 'name' | 'ipv4' | 'ipv6'
}

type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null'

const MAX_INT = 2147483647

/** Python's repr of a JSON value, as jsonschema messages show it. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`
  return String(value)
}

/** Python's `str()`: strings bare, everything else as repr. */
const pyStr = (value: unknown): string => (typeof value === 'string' ? value : pyRepr(value))

function typeOk(type: JsonType, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'string':
      return typeof value === 'string'
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'number':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
    case 'null':
      return value === null
  }
}

class SchemaError extends Error {
  constructor(
    readonly path: readonly string[],
    readonly value: unknown,
    reason: string,
  ) {
    super(reason)
  }
}

const NAME_MESSAGE =
  "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."

function check(schema: Schema, value: unknown, path: readonly string[]): void {
  const fail = (reason: string): never => {
    throw new SchemaError(path, value, reason)
  }
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type
    if (!types.some((t) => typeOk(t as JsonType, value)))
      fail(`${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`)
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => e === value))
    fail(`${pyRepr(value)} is not one of ${pyRepr(schema.enum)}`)
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && [...value].length < schema.minLength)
      fail(`${pyRepr(value)} is too short`)
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength)
      fail(`${pyRepr(value)} is too long`)
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      fail(`${pyRepr(value)} does not match '${schema.pattern}'`)
    if (schema.format === 'name' && (/^\s|\s$/.test(value) || /[\u0000-\u001f\u007f]/.test(value)))
      throw new SchemaError([], value, NAME_MESSAGE)
    if ((schema.format === 'ipv4' && !isIPv4(value)) || (schema.format === 'ipv6' && !isIPv6(value)))
      fail(`${pyRepr(value)} is not a '${schema.format}'`)
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined) {
      if (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum)
        fail(
          `${pyRepr(value)} is less than ${schema.exclusiveMinimum === true ? 'or equal to ' : ''}the minimum of ${schema.minimum}`,
        )
    }
    if (schema.maximum !== undefined && value > schema.maximum)
      fail(`${pyRepr(value)} is greater than the maximum of ${schema.maximum}`)
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>
    const keys = Object.keys(obj)
    for (const key of schema.required ?? []) if (!(key in obj)) fail(`'${key}' is a required property`)
    if (schema.minProperties !== undefined && keys.length < schema.minProperties)
      fail(`${pyRepr(value)} does not have enough properties`)
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
      fail(`${pyRepr(value)} has too many properties`)
    const extra: string[] = []
    for (const key of keys) {
      const declared = schema.properties?.[key]
      const byPattern = Object.entries(schema.patternProperties ?? {}).filter(([p]) =>
        new RegExp(p, 'u').test(key),
      )
      if (declared !== undefined) check(declared, obj[key], [...path, key])
      for (const [, s] of byPattern) check(s, obj[key], [...path, key])
      if (declared === undefined && byPattern.length === 0) {
        if (schema.additionalProperties === false) extra.push(key)
        else if (typeof schema.additionalProperties === 'object')
          check(schema.additionalProperties, obj[key], [...path, key])
      }
    }
    if (extra.length > 0)
      fail(
        `Additional properties are not allowed (${extra.map((k) => `'${k}'`).join(', ')} ${extra.length === 1 ? 'was' : 'were'} unexpected)`,
      )
  }
}

/** Validates a request body (or query) against a schema; 400 badRequest with Nova's message. */
export function validate(schema: Schema, value: unknown): void {
  try {
    check(schema, value, [])
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error
    const last = error.path.at(-1)
    throw badRequest(
      last === undefined
        ? error.message
        : `Invalid input for field/attribute ${last}. Value: ${pyStr(error.value)}. ${error.message}`,
    )
  }
}

// ---- Nova's parameter_types --------------------------------------------------------------------------------

export const nameType: Schema = { type: 'string', minLength: 1, maxLength: 255, format: 'name' }

export const booleanType: Schema = {
  type: ['boolean', 'string'],
  enum: [
    true,
    'True',
    'TRUE',
    'true',
    '1',
    'ON',
    'On',
    'on',
    'YES',
    'Yes',
    'yes',
    'y',
    't',
    false,
    'False',
    'FALSE',
    'false',
    '0',
    'OFF',
    'Off',
    'off',
    'NO',
    'No',
    'no',
    'n',
    'f',
  ],
}

/** oslo's `bool_from_string` for values `booleanType` accepted. */
export const toBool = (value: unknown): boolean =>
  value === true ||
  (typeof value === 'string' && ['true', '1', 'on', 'yes', 'y', 't'].includes(value.toLowerCase()))

export const positiveIntLike: Schema = {
  type: ['integer', 'string'],
  pattern: '^[0-9]*$',
  minimum: 1,
  maximum: MAX_INT,
}
export const nonNegativeIntLike: Schema = {
  type: ['integer', 'string'],
  pattern: '^[0-9]*$',
  minimum: 0,
  maximum: MAX_INT,
}

/** Nova's `valid_description_regex`: printable characters (no control characters). */
export const DESCRIPTION_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$'
export { MAX_INT }

/**
 * An IP address as Nova stores it (netaddr's text form): IPv6 compressed and in lower case, embedded IPv4 in hex
 * (`0000:…:babe:220.12.22.2` → `::babe:dc0c:1602`); IPv4 unchanged.
 */
export function normalizeIp(address: string): string {
  return isIPv6(address) ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address
}
