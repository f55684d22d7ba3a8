import {
  contentKey,
  ec2MetaData,
  networkData,
  openstackMetaData,
  userDataBytes,
  vendorData,
  vendorData2,
  type MetadataExtras,
  type MetadataInstance,
  type MetadataSettings,
} from './instance-metadata.js'
import { pythonJson } from './python-json.js'
import {
  DEFAULT_CONFIG_DRIVE_SKIP_VERSIONS,
  EC2_VERSIONS,
  HAVANA,
  LIBERTY,
  NEWTON_TWO,
  OPENSTACK_VERSIONS,
  versionAtLeast,
} from './versions.js'

/** One file of a config drive: its path inside the drive and its bytes. */
export interface ConfigDriveFile {
  readonly path: string
  readonly data: Buffer
}

export interface ConfigDriveSettings extends MetadataSettings {
  /** `[api] config_drive_skip_versions`: EC2 versions left off the drive, space-separated. */
  readonly skipVersions?: string
}

const json = (value: unknown): Buffer => Buffer.from(pythonJson(value))

/**
 * The files of an instance's config drive, as Nova lays them out: `ec2/<version>/meta-data.json` (and
 * `user-data`) for every EC2 version not skipped and `latest`; `openstack/<version>/meta_data.json`, `user_data`
 * (when there is user data), `vendor_data.json` (from 2013-10-17), `network_data.json` (2015-10-15) and
 * `vendor_data2.json` (2016-10-06) for every OpenStack version and `latest`; injected files under
 * `openstack/content/NNNN`. Pure: the random seeds come from `settings`.
 */
export function configDriveFiles(
  instance: MetadataInstance,
  settings: ConfigDriveSettings,
  extras: MetadataExtras = {},
): ConfigDriveFile[] {
  const files: ConfigDriveFile[] = []
  const userData = userDataBytes(instance)
  const skip = new Set((settings.skipVersions ?? DEFAULT_CONFIG_DRIVE_SKIP_VERSIONS).split(' '))
  for (const version of [...EC2_VERSIONS, 'latest']) {
    if (skip.has(version)) continue
    if (userData !== undefined) files.push({ path: `ec2/${version}/user-data`, data: userData })
    const md = ec2MetaData(instance, version, settings)
    const keys = md['public-keys'] as Record<string, Record<string, unknown>> | undefined
    if (keys?.['0'] !== undefined) delete keys['0']._name
    files.push({ path: `ec2/${version}/meta-data.json`, data: json(md) })
  }
  for (const version of [...OPENSTACK_VERSIONS, 'latest']) {
    const at = (required: string) => versionAtLeast(OPENSTACK_VERSIONS, required, version)
    const dir = `openstack/${version}`
    files.push({
      path: `${dir}/meta_data.json`,
      data: json(openstackMetaData(instance, version, settings, extras)),
    })
    if (userData !== undefined) files.push({ path: `${dir}/user_data`, data: userData })
    if (at(HAVANA)) files.push({ path: `${dir}/vendor_data.json`, data: json(vendorData()) })
    if (at(LIBERTY)) files.push({ path: `${dir}/network_data.json`, data: json(networkData(extras.vifs)) })
    if (at(NEWTON_TWO)) files.push({ path: `${dir}/vendor_data2.json`, data: json(vendorData2()) })
  }
  for (const [i, file] of (extras.files ?? []).entries())
    files.push({ path: `openstack/content/${contentKey(i)}`, data: Buffer.from(file.contents) })
  return files
}
