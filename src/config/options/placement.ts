import { keystoneauthSection } from './keystoneauth.js'

/** `[placement]`: how Nova reaches the placement service. */
export const placement = keystoneauthSection('placement')
