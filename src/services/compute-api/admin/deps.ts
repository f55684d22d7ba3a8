import type { ComputeApiEnv } from '../env.js'

/** Dependencies of the admin resources (os-services, os-hypervisors, os-availability-zone, os-aggregates, …). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AdminDeps {}

export function createAdminDeps(_env: ComputeApiEnv): AdminDeps {
  return {}
}
