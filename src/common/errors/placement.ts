import { Unavailable } from './base.js'
import { defineError } from './define-error.js'

// Errors of placement's clients (the scheduler and the computes' resource trackers).

export const PlacementServiceUnavailable = defineError(
  'PlacementServiceUnavailable',
  Unavailable,
  (d: { status: number; detail: string }) => `The placement service answered ${d.status}: ${d.detail}`,
)
