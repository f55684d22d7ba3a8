import { boolOpt, intOpt, listOpt, strOpt, uriOpt } from '../opt.js'

/**
 * The keystoneauth options a service uses to reach another one ([placement], [glance], [neutron], [keystone], …):
 * a template, not a section; `serviceType` names the target service in the help texts.
 */
export function keystoneauthSection(serviceType: string) {
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
