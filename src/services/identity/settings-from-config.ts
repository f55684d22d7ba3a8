import type { NovaConfig } from '../../config/index.js'
import type { BootstrapOptions } from './bootstrap.js'
import type { IdentitySettings } from './identity-deps.js'

/** Where clients reach identity: `[identity] public_endpoint`, else http://<my_ip>:<port>. */
export function identityPublicUrl(config: NovaConfig): string {
  return (
    config.identity.public_endpoint ?? `http://${config.DEFAULT.my_ip}:${config.identity.port}`
  ).replace(/\/+$/, '')
}

export function identitySettings(config: NovaConfig): IdentitySettings {
  return {
    tokenExpirationS: config.token.expiration,
    defaultDomainId: config.identity.default_domain_id,
    passwordHashRounds: config.identity.password_hash_rounds,
    lockoutFailureAttempts: config.security_compliance.lockout_failure_attempts,
    lockoutDurationS: config.security_compliance.lockout_duration,
    publicUrl: identityPublicUrl(config),
  }
}

/** The catalog this deployment registers: identity, compute, image and placement. */
export function identityBootstrap(config: NovaConfig, adminPassword: string): BootstrapOptions {
  const computeBase =
    config.api.compute_link_prefix ??
    `http://${config.DEFAULT.my_ip}:${config.DEFAULT.osapi_compute_listen_port}`
  return {
    adminPassword,
    regionId: config.identity.region_name,
    endpoints: [
      { type: 'identity', name: 'keystone', url: `${identityPublicUrl(config)}/v3` },
      { type: 'compute', name: 'nova', url: `${computeBase.replace(/\/+$/, '')}/v2.1` },
      { type: 'image', name: 'glance', url: imagePublicUrl(config) },
      { type: 'placement', name: 'placement', url: placementPublicUrl(config) },
    ],
  }
}

/** Where clients reach the image service: `[image] public_endpoint`, else http://<my_ip>:<port>. */
export function imagePublicUrl(config: NovaConfig): string {
  return (config.image.public_endpoint ?? `http://${config.DEFAULT.my_ip}:${config.image.port}`).replace(
    /\/+$/,
    '',
  )
}

/** Where clients reach placement: `[placement] public_endpoint`, else http://<my_ip>:<port>. */
export function placementPublicUrl(config: NovaConfig): string {
  return (
    config.placement.public_endpoint ?? `http://${config.DEFAULT.my_ip}:${config.placement.port}`
  ).replace(/\/+$/, '')
}
