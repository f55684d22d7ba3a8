import { Conflict, Invalid } from './base.js'
import { defineError } from './define-error.js'

// Errors of live migration (os-migrateLive and the server migrations it creates), with Nova's messages. Nova's
// API answers 400 for each of these.

export const MigrationPreCheckError = defineError(
  'MigrationPreCheckError',
  Invalid,
  (d: { reason: string }) => `Migration pre-check error: ${d.reason}`,
)
export const InvalidSharedStorage = defineError(
  'InvalidSharedStorage',
  Invalid,
  (d: { path: string; reason: string }) => `${d.path} is not on shared storage: ${d.reason}`,
)
export const InvalidLocalStorage = defineError(
  'InvalidLocalStorage',
  Invalid,
  (d: { path: string; reason: string }) => `${d.path} is not on local storage: ${d.reason}`,
)
export const UnableToMigrateToSelf = defineError(
  'UnableToMigrateToSelf',
  Invalid,
  (d: { instanceId: string; host: string }) =>
    `Unable to migrate instance (${d.instanceId}) to current host (${d.host}).`,
)
export const ComputeHostNotFound = defineError(
  'ComputeHostNotFound',
  Invalid,
  (d: { host: string }) => `Compute host ${d.host} could not be found.`,
)
export const ComputeServiceUnavailable = defineError(
  'ComputeServiceUnavailable',
  Invalid,
  (d: { host: string }) => `Compute service of ${d.host} is unavailable at this time.`,
)
export const InvalidMigrationState = defineError(
  'InvalidMigrationState',
  Invalid,
  (d: { migrationId: number; instanceUuid: string; state: string; method: string }) =>
    `Migration ${d.migrationId} state of instance ${d.instanceUuid} is ${d.state}. Cannot ${d.method} while the migration is in this state.`,
)
/** A live migration stopped by the operator's abort; the guest stays on the source (a driver raises it). */
export const LiveMigrationAborted = defineError(
  'LiveMigrationAborted',
  Conflict,
  (d: { instanceUuid: string }) => `Live migration of instance ${d.instanceUuid} was aborted.`,
)
