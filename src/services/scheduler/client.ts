import type { RpcVersionHistory } from '../../bus/index.js'

export const SCHEDULER_TOPIC = 'scheduler'

/** Every change to the scheduler's RPC API, oldest first. select_destinations arrives with the placement issue. */
export const SCHEDULER_RPC_HISTORY: RpcVersionHistory = [
  { version: '1.0', change: 'initial: the scheduler registers and serves its topic' },
]
export const SCHEDULER_RPC_VERSION = '1.0'
