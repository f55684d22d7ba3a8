import { boolOpt, intOpt, listOpt, strOpt, uriOpt } from '../opt.js'

/** keystoneauth options used to reach another service ([placement], [glance], [neutron], [keystone], …). */
function serviceClient(serviceType: string) {
  return {
    auth_type: strOpt({
      help: `Authentication plugin used to reach the ${serviceType} service (password, v3password, …).`,
    }),
    auth_url: uriOpt({ help: 'Identity endpoint used to authenticate.' }),
    username: strOpt({ help: 'Service user name.' }),
    password: strOpt({ secret: true, help: "Service user's password." }),
    user_domain_name: strOpt({ default: 'Default', help: "Service user's domain." }),
    project_name: strOpt({ default: 'service', help: 'Project the service user is scoped to.' }),
    project_domain_name: strOpt({ default: 'Default', help: "Service project's domain." }),
    region_name: strOpt({ help: 'Region of the endpoint in the catalog.' }),
    valid_interfaces: listOpt({
      default: ['internal', 'public'],
      help: 'Catalog interfaces to use, in order of preference.',
    }),
    endpoint_override: uriOpt({ help: 'Endpoint to use instead of the catalog one.' }),
    timeout: intOpt({ min: 0, help: 'HTTP timeout in seconds.' }),
    insecure: boolOpt({ default: false, help: 'Do not verify TLS certificates.' }),
  } as const
}

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

export const keystone = serviceClient('identity')
export const placement = serviceClient('placement')
export const neutron = serviceClient('network')
export const glance = {
  ...serviceClient('image'),
  api_servers: listOpt({
    help: 'Image service endpoints (deprecated in Nova for the catalog; still honoured).',
  }),
  num_retries: intOpt({ default: 3, min: 0, help: 'Retries of an image service request.' }),
  verify_glance_signatures: boolOpt({ default: false, help: 'Verify image signatures.' }),
} as const
