/** Time, injectable so that tests of periodic work need not sleep. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }
