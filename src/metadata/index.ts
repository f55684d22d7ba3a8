export { configDriveFiles, type ConfigDriveFile, type ConfigDriveSettings } from './config-drive-files.js'
export {
  ec2MetaData,
  imageEc2Id,
  metadataHostname,
  networkData,
  openstackMetaData,
  userDataBytes,
  vendorData,
  vendorData2,
  type MetadataExtras,
  type MetadataInstance,
  type MetadataSettings,
  type MetadataVif,
} from './instance-metadata.js'
export { pythonJson } from './python-json.js'
export {
  DEFAULT_CONFIG_DRIVE_SKIP_VERSIONS,
  EC2_VERSIONS,
  OPENSTACK_VERSIONS,
  versionAtLeast,
} from './versions.js'
