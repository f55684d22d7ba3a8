/**
 * Nova's power states (`nova.compute.power_state`): integers stored in `instances.power_state`, names used in
 * notifications and the API's `OS-EXT-STS:power_state`. 2 and 5 are unused since Nova dropped BLOCKED/SHUTOFF.
 */
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const

export type PowerState = (typeof PowerState)[keyof typeof PowerState]

/** The name Nova gives each power state (`power_state.STATE_MAP`). */
export const POWER_STATE_NAMES: Readonly<Record<PowerState, string>> = {
  0: 'pending',
  1: 'running',
  3: 'paused',
  4: 'shutdown',
  6: 'crashed',
  7: 'suspended',
}

export function powerStateName(state: number): string {
  return POWER_STATE_NAMES[state as PowerState] ?? 'pending'
}
