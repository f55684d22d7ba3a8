import { intOpt } from '../opt.js'

/** `[conductor]`: nova-conductor. */
export const conductor = {
  workers: intOpt({ min: 1, help: 'Worker processes of nova-conductor.' }),
} as const
