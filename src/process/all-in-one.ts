import type { Logger } from '../common/logger.js'
import type { NovaConfig } from '../config/index.js'
import type { ProcessParts } from './build-process.js'
import { writeClientConfig } from './client-config.js'
import { databaseUrls } from '../db/database-urls.js'
import { DEFAULT_IMAGE_NAME, registeredDefaultImage } from './default-image.js'
import { identityPublicUrl } from '../services/identity/settings-from-config.js'

/**
 * What nova-all does once everything runs: write clouds.yaml + openrc and print, for a person at the
 * terminal, where each endpoint is and how to point the openstack CLI at the cloud.
 */
export async function announceAllInOne(
  parts: ProcessParts,
  config: NovaConfig,
  logger: Logger,
): Promise<void> {
  const files = writeClientConfig({
    statePath: config.DEFAULT.state_path,
    authUrl: `${identityPublicUrl(config)}/v3`,
    regionName: config.identity.region_name,
  })
  const urls = databaseUrls(config)
  const image = registeredDefaultImage(config)
  const lines = [
    '',
    'nova-ts all-in-one is running',
    '',
    'endpoints:',
    ...parts.services.flatMap((s) => s.endpoints?.() ?? []).map((e) => `  ${e}`),
    '',
    'services:',
    `  ${parts.services.map((s) => s.binary).join(', ')} on host ${config.DEFAULT.host}`,
    `  message bus   ${parts.bus.transport}://`,
    `  database      ${urls.main.replace(/\/\/[^@/]*@/, '//****@')}`,
    `  api database  ${urls.api.replace(/\/\/[^@/]*@/, '//****@')}`,
    `  hypervisor    ${config.DEFAULT.compute_driver}`,
    ...(image === undefined
      ? []
      : [
          `  image         ${DEFAULT_IMAGE_NAME} ${image.ami} (a real guest: --image ${DEFAULT_IMAGE_NAME} --nic none)`,
        ]),
    '',
    'admin credentials (user admin, project admin, domain Default):',
    `  password      ${files.adminPassword}`,
    `  clouds.yaml   ${files.cloudsYaml}`,
    `  openrc        ${files.openrc}`,
    '',
    `  export OS_CLIENT_CONFIG_FILE=${files.cloudsYaml} OS_CLOUD=nova-ts`,
    '',
    'Ctrl-C stops it.',
    '',
  ]
  process.stdout.write(lines.join('\n'))
  logger.info({ clouds_yaml: files.cloudsYaml }, 'all-in-one started')
}
