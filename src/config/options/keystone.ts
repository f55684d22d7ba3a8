import { keystoneauthSection } from './keystoneauth.js'

/** `[keystone]`: how Nova reaches the identity service. */
export const keystone = keystoneauthSection('identity')
