import { keystoneauthSection } from './keystoneauth.js'

/** `[neutron]`: how Nova reaches the network service. */
export const neutron = keystoneauthSection('network')
