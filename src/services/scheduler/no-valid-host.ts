import { NoValidHost } from '../../common/errors/index.js'
import type { EliminationLog } from './elimination-log.js'

export interface NoValidHostInput {
  /** All compute nodes. */
  readonly total: number
  /** Instances asked for, and how many were placed before one could not be. */
  readonly requested: number
  readonly placed: number
  /** What removed hosts, in the order of the pipeline (placement, host states, filters, claims). */
  readonly logs: readonly EliminationLog[]
}

const ordinal = (n: number): string => {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${suffix}`
}

/**
 * NoValidHost whose reason says which steps removed how many hosts and why, e.g. "0 of 50 hosts passed:
 * placement: 40 not in availability zone az2, 10 lack MEMORY_MB 4096 (largest free 2048)". The reason never
 * names hosts; `details.eliminated` lists them per reason for admins.
 */
export function noValidHost(input: NoValidHostInput): InstanceType<typeof NoValidHost> {
  const summary = input.logs
    .map((log) => log.summary())
    .filter((s) => s !== '')
    .join('; ')
  const which =
    input.requested > 1 ? ` for the ${ordinal(input.placed + 1)} of ${input.requested} instances` : ''
  const reason =
    input.total === 0
      ? 'There are no compute hosts.'
      : `0 of ${input.total} hosts passed${which}${summary === '' ? '.' : `: ${summary}.`}`
  return new NoValidHost({ reason, eliminated: input.logs.flatMap((log) => log.entries()) })
}
