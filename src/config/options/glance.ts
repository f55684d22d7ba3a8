import { boolOpt, intOpt, listOpt } from '../opt.js'
import { keystoneauthSection } from './keystoneauth.js'

/** `[glance]`: how Nova reaches the image service. */
export const glance = {
  ...keystoneauthSection('image'),
  api_servers: listOpt({
    help: 'Image service endpoints (deprecated in Nova for the catalog; still honoured).',
  }),
  num_retries: intOpt({ default: 3, min: 0, help: 'Retries of an image service request.' }),
  verify_glance_signatures: boolOpt({ default: false, help: 'Verify image signatures.' }),
} as const
