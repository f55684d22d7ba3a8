import { boolOpt, intOpt, listOpt, strOpt, uriOpt } from '../opt.js'

/** `[keystone_authtoken]`: how the API services validate the tokens they receive (keystonemiddleware). */
export const keystone_authtoken = {
  www_authenticate_uri: uriOpt({
    help: 'Identity endpoint clients are sent to (WWW-Authenticate) when they bring no valid token.',
  }),
  auth_url: uriOpt({ help: 'Identity endpoint the API services validate tokens against.' }),
  auth_type: strOpt({ help: 'Authentication plugin of the service user.' }),
  username: strOpt({ help: 'Service user validating tokens.' }),
  password: strOpt({ secret: true, help: "Service user's password." }),
  user_domain_name: strOpt({ default: 'Default', help: "Service user's domain." }),
  project_name: strOpt({ default: 'service', help: 'Project of the service user.' }),
  project_domain_name: strOpt({ default: 'Default', help: "Service project's domain." }),
  region_name: strOpt({ help: 'Region of the identity endpoint.' }),
  memcached_servers: listOpt({
    help: 'Token cache servers (nova-ts caches validated tokens in process and ignores this).',
  }),
  token_cache_time: intOpt({ default: 300, min: -1, help: 'Seconds a validated token is cached.' }),
  service_token_roles_required: boolOpt({
    default: false,
    help: 'Require the service token to carry a service role.',
  }),
} as const
