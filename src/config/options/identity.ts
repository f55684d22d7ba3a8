import { hostOpt, intOpt, portOpt, strOpt, uriOpt } from '../opt.js'

/** The built-in identity service (Keystone v3): where it listens and how it presents itself. */
export const identity = {
  listen: hostOpt({ default: '0.0.0.0', help: 'Address the identity service listens on.' }),
  port: portOpt({ default: 5000, help: 'Port the identity service listens on.' }),
  public_endpoint: uriOpt({ help: 'Base URL clients use for identity (default: http://<my_ip>:<port>).' }),
  default_domain_id: strOpt({
    default: 'default',
    help: 'Domain of users and projects created without one.',
  }),
  region_name: strOpt({ default: 'RegionOne', help: 'Region the bootstrap registers endpoints in.' }),
  password_hash_rounds: intOpt({
    default: 12,
    min: 4,
    max: 31,
    help: 'bcrypt cost factor of stored passwords (Keystone: password_hash_rounds).',
  }),
} as const

/** Keystone's `[token]`. */
export const token = {
  expiration: intOpt({ default: 3600, min: 1, help: 'Seconds a token stays valid.' }),
} as const

/** Keystone's `[fernet_tokens]`: the keys tokens are encrypted with; every service validating tokens reads them. */
export const fernet_tokens = {
  key_repository: strOpt({
    default: '$state_path/fernet-keys',
    help: 'Directory of the Fernet keys (created on first start).',
  }),
  max_active_keys: intOpt({
    default: 3,
    min: 1,
    help: 'Keys kept when rotating: the primary, the staged one, and older ones.',
  }),
} as const

/** Keystone's `[security_compliance]`. */
export const security_compliance = {
  lockout_failure_attempts: intOpt({
    min: 1,
    help: 'Failed password attempts after which a user is locked out (unset: never).',
  }),
  lockout_duration: intOpt({ default: 1800, min: 1, help: 'Seconds a locked-out user stays locked out.' }),
} as const
