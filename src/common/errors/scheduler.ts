import { NovaError } from './base.js'
import { defineError } from './define-error.js'

// Errors of nova-scheduler.

/** One cause that removed hosts, for the admin detail of NoValidHost. */
export interface HostElimination {
  /** The step: 'placement', a host filter's class name, 'claim', … */
  readonly step: string
  /** Why, without host names (the same text as in the message). */
  readonly reason: string
  readonly count: number
  /** The hosts (compute host names) it removed, when known; for admins only. */
  readonly hosts: readonly string[]
  /** More for admins: what the step required (aggregate names and uuids, the request filter, …). */
  readonly detail?: string
}

/**
 * Nova's NoValidHost (a plain NovaException, 500): no host could take the request. `reason` explains which
 * step removed how many hosts and why; it never names hosts, so it can be shown to the project. `eliminated`
 * lists the host names per reason, for admins.
 */
export const NoValidHost = defineError(
  'NoValidHost',
  NovaError,
  (d: { reason: string; eliminated?: readonly HostElimination[] }) => `No valid host was found. ${d.reason}`,
)

/**
 * Nova's MaxRetriesExceeded (a NoValidHost, 500): a build failed on the chosen host and on every alternate the
 * scheduler gave; the conductor puts the instance in ERROR with it as the fault.
 */
export const MaxRetriesExceeded = defineError(
  'MaxRetriesExceeded',
  NovaError,
  (d: { reason: string }) => `Exceeded maximum number of retries. ${d.reason}`,
)

/**
 * Nova's RescheduledException: a build failed on its host in a way another host may not (the driver's spawn
 * failed); nova-compute hands the instance back to the conductor for the next alternate. Recorded as the error
 * of the failed host's build event.
 */
export const RescheduledException = defineError(
  'RescheduledException',
  NovaError,
  (d: { instanceUuid: string; reason: string }) =>
    `Build of instance ${d.instanceUuid} was re-scheduled: ${d.reason}`,
)
