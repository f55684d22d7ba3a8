import { strOpt } from '../opt.js'

/** `[upgrade_levels]`: RPC version caps during rolling upgrades. */
export const upgrade_levels = {
  compute: strOpt({ help: 'RPC version cap for messages to nova-compute (X.Y or auto).' }),
  conductor: strOpt({ help: 'RPC version cap for messages to nova-conductor.' }),
  scheduler: strOpt({ help: 'RPC version cap for messages to nova-scheduler.' }),
} as const
