import type { ComputeApiEnv } from '../env.js'

/** Dependencies of the servers resource and the build flow it starts (repositories, RPC clients, …). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ServerDeps {}

export function createServerDeps(_env: ComputeApiEnv): ServerDeps {
  return {}
}
