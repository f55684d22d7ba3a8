import { PlacementError } from './errors.js'

/** The placement API microversions nova-ts serves (openstack/placement's 1.0 → 1.39). */
export const MIN_MINOR = 0
export const MAX_MINOR = 39

export interface Microversion {
  readonly major: 1
  readonly minor: number
}

/**
 * The version a request asked for with `OpenStack-API-Version: placement 1.N` (absent → 1.0, `latest` → 1.39).
 * A malformed value is 400; one outside the range is 406, as placement answers.
 */
export function negotiateMicroversion(header: string | string[] | undefined): Microversion {
  const values = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')
  const entry = values.map((v) => v.trim()).find((v) => /^placement(\s|$)/i.test(v))
  if (entry === undefined) return { major: 1, minor: MIN_MINOR }
  const asked = entry.slice('placement'.length).trim()
  if (asked.toLowerCase() === 'latest') return { major: 1, minor: MAX_MINOR }
  const match = /^(\d+)\.(\d+)$/.exec(asked)
  if (match === null)
    throw new PlacementError(400, `invalid version string: ${asked}`, 'placement.undefined_code')
  const major = Number(match[1])
  const minor = Number(match[2])
  if (major !== 1 || minor < MIN_MINOR || minor > MAX_MINOR)
    throw new PlacementError(
      406,
      `Unacceptable version header: ${asked}. Supported versions: 1.${MIN_MINOR} to 1.${MAX_MINOR}.`,
      'placement.undefined_code',
    )
  return { major: 1, minor }
}

export const versionHeader = (mv: Microversion): string => `placement ${mv.major}.${mv.minor}`
