import { listOpt } from '../opt.js'

/** `[cors]`: cross-origin requests to the APIs (oslo.middleware). */
export const cors = {
  allowed_origin: listOpt({ help: 'Origins allowed to make cross-site requests to the APIs.' }),
} as const
