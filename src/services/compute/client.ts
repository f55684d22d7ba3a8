import type { RpcVersionHistory } from '../../bus/index.js'

export const COMPUTE_TOPIC = 'compute'

/** Every change to the compute RPC API, oldest first. Instance operations arrive with the compute issue. */
export const COMPUTE_RPC_HISTORY: RpcVersionHistory = [
  {
    version: '1.0',
    change: 'initial: the compute service registers through the conductor and serves compute.<host>',
  },
]
export const COMPUTE_RPC_VERSION = '1.0'
