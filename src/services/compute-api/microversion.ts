import type { FastifyRequest } from 'fastify'
import { ApiFault } from './faults.js'
import { MAX_MICROVERSION, MIN_MICROVERSION } from './versions.js'

/** A compute API version `2.N` (only the minor part varies within v2.1). */
export interface ApiVersion {
  readonly major: number
  readonly minor: number
}

export function parseVersion(text: string): ApiVersion | undefined {
  const match = /^([1-9]\d*)\.(0|[1-9]\d*)$/.exec(text)
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]) }
}

const MIN = parseVersion(MIN_MICROVERSION)!
const MAX = parseVersion(MAX_MICROVERSION)!

export const compareVersions = (a: ApiVersion, b: ApiVersion): number =>
  a.major - b.major || a.minor - b.minor

export const formatVersion = (v: ApiVersion): string => `${v.major}.${v.minor}`

/** The `compute` entry of `OpenStack-API-Version` (comma-separated `service X.Y` pairs), if any. */
function fromNewHeader(header: string | string[] | undefined): string | undefined {
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')
  for (const raw of values) {
    const [service, ...rest] = raw.trim().split(/\s+/)
    if (service?.toLowerCase() === 'compute' && rest.length > 0) return rest.join(' ')
  }
  return undefined
}

/**
 * The microversion a request asked for (microversion-parse as Nova uses it): `OpenStack-API-Version: compute X.Y`
 * first, then the legacy `X-OpenStack-Nova-API-Version: X.Y`; absent → 2.1; `latest` → the maximum. A malformed
 * value is 400, one outside [2.1, max] is 406 (InvalidGlobalAPIVersion), with Nova's messages.
 */
export function negotiate(headers: Readonly<Record<string, string | string[] | undefined>>): ApiVersion {
  const legacy = headers['x-openstack-nova-api-version']
  const asked =
    fromNewHeader(headers['openstack-api-version']) ?? (Array.isArray(legacy) ? legacy[0] : legacy)
  if (asked === undefined || asked.trim() === '') return MIN
  const text = asked.trim()
  if (text.toLowerCase() === 'latest') return MAX
  const version = parseVersion(text)
  if (version === undefined)
    throw new ApiFault(
      400,
      `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`,
    )
  if (compareVersions(version, MIN) < 0 || compareVersions(version, MAX) > 0)
    throw new ApiFault(
      406,
      `Version ${text} is not supported by the API. Minimum is ${MIN_MICROVERSION} and maximum is ${MAX_MICROVERSION}.`,
    )
  return version
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The compute microversion this request runs at (set before routing). */
    computeVersion?: ApiVersion
  }
}

/** The request's microversion (2.1 when none was negotiated, e.g. the legacy /v2 mount). */
export const versionOf = (request: FastifyRequest): ApiVersion => request.computeVersion ?? MIN

/** "Is the request's version ≥ 2.`minor`": Nova's `api_version_request.is_supported(req, '2.N')`. */
export const atLeast = (request: FastifyRequest, minor: number): boolean => versionOf(request).minor >= minor

/** A method whose version range excludes the request answers 404, as Nova's dispatcher does. */
export function requireVersion(request: FastifyRequest, min: number, max?: number): void {
  const minor = versionOf(request).minor
  if (minor < min || (max !== undefined && minor > max))
    throw new ApiFault(404, 'The resource could not be found.')
}
