import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export interface ClientConfigFiles {
  readonly cloudsYaml: string
  readonly openrc: string
  readonly adminPassword: string
}

export interface ClientConfigOptions {
  readonly statePath: string
  /** Identity endpoint clients authenticate against, e.g. `http://127.0.0.1:5000/v3`. */
  readonly authUrl: string
  readonly regionName: string
  readonly cloudName?: string
}

/**
 * Writes `clouds.yaml` and `openrc` for the all-in-one cloud under state_path, so that
 * `export OS_CLIENT_CONFIG_FILE=…/clouds.yaml OS_CLOUD=nova-ts` or `. …/openrc` configures the openstack CLI.
 * The admin password is generated once and kept (mode 0600) in `admin-password`; later starts reuse it.
 */
export function writeClientConfig(options: ClientConfigOptions): ClientConfigFiles {
  const dir = path.resolve(options.statePath)
  const password = ensureAdminPassword(dir)
  const cloud = options.cloudName ?? 'nova-ts'

  const cloudsYaml = path.join(dir, 'clouds.yaml')
  writeFileSync(
    cloudsYaml,
    [
      'clouds:',
      `  ${cloud}:`,
      '    auth:',
      `      auth_url: ${options.authUrl}`,
      '      username: admin',
      `      password: ${JSON.stringify(password)}`,
      '      project_name: admin',
      '      user_domain_name: Default',
      '      project_domain_name: Default',
      `    region_name: ${options.regionName}`,
      '    interface: public',
      '    identity_api_version: 3',
      '',
    ].join('\n'),
    { mode: 0o600 },
  )

  const openrc = path.join(dir, 'openrc')
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`
  writeFileSync(
    openrc,
    [
      `export OS_AUTH_URL=${quote(options.authUrl)}`,
      'export OS_USERNAME=admin',
      `export OS_PASSWORD=${quote(password)}`,
      'export OS_PROJECT_NAME=admin',
      'export OS_USER_DOMAIN_NAME=Default',
      'export OS_PROJECT_DOMAIN_NAME=Default',
      `export OS_REGION_NAME=${quote(options.regionName)}`,
      'export OS_IDENTITY_API_VERSION=3',
      '',
    ].join('\n'),
    { mode: 0o600 },
  )
  return { cloudsYaml, openrc, adminPassword: password }
}

/** The all-in-one admin password: generated on first start into `<state_path>/admin-password` (0600), then kept. */
export function ensureAdminPassword(statePath: string): string {
  const dir = path.resolve(statePath)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const passwordFile = path.join(dir, 'admin-password')
  if (!existsSync(passwordFile)) {
    writeFileSync(passwordFile, `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 })
  }
  return readFileSync(passwordFile, 'utf8').trim()
}
