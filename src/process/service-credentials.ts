import type { NovaConfig } from '../config/index.js'
import type { PasswordCredentials } from '../services/identity/client.js'
import { identityPublicUrl, placementPublicUrl } from '../services/identity/settings-from-config.js'

/**
 * How Nova's services reach placement: `[placement]` keystoneauth options (username, password, project, auth_url,
 * endpoint_override), as in nova.conf. nova-all on its embedded defaults, with no service user configured, acts
 * as its own admin.
 */
export function placementAccess(
  config: NovaConfig,
  adminPassword: string | undefined,
): { readonly url: string; readonly credentials: PasswordCredentials } {
  const p = config.placement
  const authUrl = (p.auth_url ?? `${identityPublicUrl(config)}/v3`).replace(/\/+$/, '')
  const url = (p.endpoint_override ?? placementPublicUrl(config)).replace(/\/+$/, '')
  if (p.username !== undefined && p.password !== undefined)
    return {
      url,
      credentials: {
        authUrl,
        username: p.username,
        password: p.password,
        projectName: p.project_name,
        userDomainName: p.user_domain_name,
        projectDomainName: p.project_domain_name,
      },
    }
  return {
    url,
    credentials: {
      authUrl,
      username: 'admin',
      password: adminPassword ?? '',
      projectName: 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
    },
  }
}
