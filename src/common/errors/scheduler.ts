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
