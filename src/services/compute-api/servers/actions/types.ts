import type { FastifyRequest } from 'fastify'
import type { RequestContext } from '../../../../common/context.js'
import type { InstanceFields, InstanceRecord } from '../../../../db/repositories/instances.js'
import type { RuleDefault } from '../../../../policy/index.js'
import type { Caller, RequestSettings } from '../../request.js'
import type { Schema } from '../../validation.js'
import type { ServerDeps } from '../deps.js'

/** The states an action may start from (Nova's @check_instance_state and @check_instance_host). */
export interface StateGuard {
  /** vm_states allowed; undefined: any. */
  readonly vmStates?: readonly string[]
  /** task_states allowed (null: no task pending); undefined: any. */
  readonly taskStates?: readonly (string | null)[]
  /** launched_at must be set (Nova's must_have_launched); default: true when vmStates is given. */
  readonly mustHaveLaunched?: boolean
  /** The instance must be on a host, else 409 "Instance <uuid> is not ready" (check_instance_host). */
  readonly needsHost?: boolean
}

/** An answer other than the default 202 with an empty body. */
export interface ActionResult {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/** What an action's `run` gets: the checked request and helpers that keep Nova's records and guards. */
export interface ActionCall {
  readonly request: FastifyRequest
  readonly caller: Caller
  /** The RPC context, carrying the request id the instance action is recorded under. */
  readonly ctx: RequestContext
  /** The instance as loaded before the checks. */
  readonly instance: InstanceRecord
  /** The (validated) value under the action's key. */
  readonly body: unknown
  readonly servers: ServerDeps
  readonly settings: RequestSettings
  /** Records the instance action `action` under this request's id (Nova's _record_action_start). */
  record(action: string): Promise<void>
  /**
   * Nova's `instance.save(expected_task_state=…)` from the API: applies `changes` only while the instance is
   * still in the action's guard states (or `expectedTaskStates` when given); a lost race answers the 409 Nova
   * gives for the state the winner left.
   */
  transition(
    changes: InstanceFields,
    expectedTaskStates?: readonly (string | null)[],
  ): Promise<InstanceRecord>
}

/**
 * One server action: `POST /servers/{id}/action` with `{ <key>: <body> }`. The dispatcher (index.ts) loads the
 * instance (404), checks the microversion range (404), the schema (400), the policy (403), the lock (409) and the
 * states (409) in Nova's order, then calls `run`.
 */
export interface ServerAction {
  /** The body key, e.g. `reboot`, `os-stop`. */
  readonly key: string
  /** The operation named in Nova's 409: "Cannot '<name>' instance <uuid> while it is in vm_state <state>". */
  readonly name: string
  /** The microversion range (2.<minor>) it exists in; outside it answers 404. */
  readonly minVersion?: number
  readonly maxVersion?: number
  /** Schema of the value under the key at the request's microversion; undefined: anything goes. */
  readonly schema?: (request: FastifyRequest) => Schema | undefined
  /** The policy rule checked against `{project_id: instance.project_id}`, with its default. */
  readonly policy: RuleDefault
  /** Further rules the action checks itself (registered with the defaults). */
  readonly morePolicies?: readonly RuleDefault[]
  /** A locked instance refuses it (409 InstanceIsLocked) unless the caller is admin. Default true. */
  readonly checkLock?: boolean
  /** The states it may start from: fixed, or by the body (reboot SOFT vs HARD). Undefined: any. */
  readonly states?: StateGuard | ((body: unknown) => StateGuard)
  /** Removed from Nova: 410 Gone before any other check (`run` is never called). */
  readonly gone?: boolean
  /** Does the work; undefined: 202 with an empty body. */
  run(call: ActionCall): Promise<ActionResult | undefined>
}

/** A project-member-or-admin rule for a server action (Nova's default for actions on one's own servers). */
export const memberRule = (name: string, description: string, action: string): RuleDefault => ({
  name: `os_compute_api:${name}`,
  check: 'rule:project_member_or_admin',
  description,
  operations: [`POST /servers/{server_id}/action (${action})`],
})

/** An admin-only rule for a server action. */
export const adminRule = (name: string, description: string, action: string): RuleDefault => ({
  name: `os_compute_api:${name}`,
  check: 'rule:context_is_admin',
  description,
  operations: [`POST /servers/{server_id}/action (${action})`],
})
