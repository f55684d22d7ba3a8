import {
  EC2_VERSIONS,
  GRIZZLY,
  LIBERTY,
  NEWTON_ONE,
  OPENSTACK_VERSIONS,
  VICTORIA,
  versionAtLeast,
} from './versions.js'

/** What the metadata of one instance is made of (read from the instance and its request, no lookups). */
export interface MetadataInstance {
  readonly uuid: string
  /** The display name. */
  readonly name: string
  readonly hostname: string
  readonly projectId: string
  readonly launchIndex: number
  readonly availabilityZone: string | null
  readonly reservationId: string | null
  /** The instance's integer id (instances.id), from which its EC2 id `i-%08x` comes. */
  readonly internalId: number
  /** The image it was booted from, and the kernel and ramdisk of an AMI (image uuids). */
  readonly imageId: string | null
  readonly kernelId?: string
  readonly ramdiskId?: string
  readonly flavorName: string
  readonly keyPair?: { readonly name: string; readonly publicKey: string }
  /** User data as the API stores it (base64), undefined when there is none. */
  readonly userData?: string
  /** The user's metadata (the server's `metadata`). */
  readonly metadata: Readonly<Record<string, string>>
  readonly rootDeviceName?: string
  readonly securityGroups?: readonly string[]
}

/** One network interface of the guest, as network_data.json lists it (reduced until networking comes). */
export interface MetadataVif {
  readonly id: string
  readonly address: string
  readonly type?: string
  readonly devname?: string
  readonly mtu?: number
}

/** What only the config drive carries (Nova's extra_md and injected files), and the guest's interfaces. */
export interface MetadataExtras {
  /** The admin password of the build (config drive only). */
  readonly adminPass?: string
  /** Injected files (personality): listed in meta_data.json as `files`, the contents under openstack/content/. */
  readonly files?: readonly { readonly path: string; readonly contents: string }[]
  readonly vifs?: readonly MetadataVif[]
}

export interface MetadataSettings {
  /** `[api] dhcp_domain` (default novalocal): appended to the hostname; empty or null for none. */
  readonly dhcpDomain: string | null
  /** A fresh random seed (base64 of 512 random bytes) each time meta_data.json is made. */
  readonly randomSeed: () => string
}

/** The raw user data (the API keeps it base64-encoded), or undefined. */
export function userDataBytes(instance: MetadataInstance): Buffer | undefined {
  return instance.userData === undefined ? undefined : Buffer.from(instance.userData, 'base64')
}

/** The hostname the metadata gives: `<hostname>.<dhcp_domain>` when a domain is set. */
export function metadataHostname(instance: MetadataInstance, settings: MetadataSettings): string {
  return settings.dhcpDomain ? `${instance.hostname}.${settings.dhcpDomain}` : instance.hostname
}

/** The key pair's type as Nova records it: x509 for a certificate, ssh otherwise. */
const keyType = (publicKey: string): string => (publicKey.includes('BEGIN CERTIFICATE') ? 'x509' : 'ssh')

/**
 * openstack/<version>/meta_data.json, in Nova's key order: uuid, meta (when set), files, admin_pass (config
 * drive), public_keys and keys (with a key pair), hostname, name, launch_index, availability_zone, then
 * random_seed (2013-04-04), project_id (2015-10-15), devices (2016-06-30) and dedicated_cpus (2020-10-14).
 */
export function openstackMetaData(
  instance: MetadataInstance,
  version: string,
  settings: MetadataSettings,
  extras: MetadataExtras = {},
): Record<string, unknown> {
  const at = (required: string) => versionAtLeast(OPENSTACK_VERSIONS, required, version)
  const md: Record<string, unknown> = { uuid: instance.uuid }
  if (Object.keys(instance.metadata).length > 0) md.meta = { ...instance.metadata }
  if (extras.files !== undefined && extras.files.length > 0)
    md.files = extras.files.map((f, i) => ({ path: f.path, content_path: `/content/${contentKey(i)}` }))
  if (extras.adminPass !== undefined && extras.adminPass !== '') md.admin_pass = extras.adminPass
  if (instance.keyPair !== undefined) {
    const { name, publicKey } = instance.keyPair
    md.public_keys = { [name]: publicKey }
    md.keys = [{ name, type: keyType(publicKey), data: publicKey }]
  }
  md.hostname = metadataHostname(instance, settings)
  md.name = instance.name
  md.launch_index = instance.launchIndex
  md.availability_zone = instance.availabilityZone
  if (at(GRIZZLY)) md.random_seed = settings.randomSeed()
  if (at(LIBERTY)) md.project_id = instance.projectId
  // Tagged devices come with block device and interface tags; none yet.
  if (at(NEWTON_ONE)) md.devices = []
  if (at(VICTORIA)) md.dedicated_cpus = []
  return md
}

/** The name of the n-th injected file under openstack/content/ (`0000`, `0001`, …). */
export const contentKey = (n: number): string => String(n).padStart(4, '0')

/**
 * network_data.json: `{}` when the guest has no interface (as Nova without network info); otherwise its links
 * (networks and services come with the networking issue).
 */
export function networkData(vifs: readonly MetadataVif[] = []): Record<string, unknown> {
  if (vifs.length === 0) return {}
  return {
    links: vifs.map((vif) => ({
      id: vif.devname ?? `tap${vif.id.slice(0, 11)}`,
      vif_id: vif.id,
      type: vif.type ?? 'ethernet',
      mtu: vif.mtu ?? null,
      ethernet_mac_address: vif.address,
    })),
    networks: [],
    services: [],
  }
}

/** vendor_data.json: the static JSON file's content (`[api] vendordata_jsonfile_path`; none here). */
export const vendorData = (): Record<string, unknown> => ({})

/** vendor_data2.json: one entry per vendordata provider; Nova's default is StaticJSON alone, as `static`. */
export const vendorData2 = (): Record<string, unknown> => ({ static: vendorData() })

/** An EC2 id as Nova prints them: the prefix and the id as 8 hex digits (`i-0000002a`). */
const ec2Id = (prefix: string, n: number): string => `${prefix}-${n.toString(16).padStart(8, '0')}`

/**
 * An image's EC2 id. Nova numbers images in its s3_images table; nova-ts has no such table and takes the first
 * 32 bits of the image's uuid instead (stable, and the same on every host).
 */
export function imageEc2Id(prefix: 'ami' | 'aki' | 'ari', imageId: string): string {
  const n = Number.parseInt(imageId.replaceAll('-', '').slice(0, 8), 16)
  return ec2Id(prefix, Number.isNaN(n) ? 0 : n)
}

/**
 * The EC2 `meta-data` tree of one version (`latest` = 2009-04-04): what the metadata service lists under
 * /<version>/meta-data/ and the config drive writes as ec2/<version>/meta-data.json. `public-keys/0` keeps
 * Nova's `_name` (`0=<key name>`), which the service lists and the config drive leaves out.
 */
export function ec2MetaData(
  instance: MetadataInstance,
  version: string,
  settings: MetadataSettings,
): Record<string, unknown> {
  const at = (required: string) => versionAtLeast(EC2_VERSIONS, required, version)
  const hostname = metadataHostname(instance, settings)
  const md: Record<string, unknown> = {
    'ami-id': instance.imageId === null ? null : imageEc2Id('ami', instance.imageId),
    'ami-launch-index': instance.launchIndex,
    'ami-manifest-path': 'FIXME',
    'instance-id': ec2Id('i', instance.internalId),
    hostname,
    // The first fixed address of the guest: none until networking.
    'local-ipv4': null,
    'reservation-id': instance.reservationId,
    'security-groups': [...(instance.securityGroups ?? [])],
  }
  if (instance.keyPair !== undefined)
    md['public-keys'] = {
      '0': { _name: `0=${instance.keyPair.name}`, 'openssh-key': instance.keyPair.publicKey },
    }
  if (at('2007-01-19')) {
    md['local-hostname'] = hostname
    md['public-hostname'] = hostname
    md['public-ipv4'] = ''
  }
  if (at('2007-08-29')) md['instance-type'] = instance.flavorName
  if (at('2007-12-15')) {
    const root = instance.rootDeviceName ?? '/dev/vda'
    md['block-device-mapping'] = { ami: root.replace(/^\/dev\//, ''), root }
    if (instance.kernelId !== undefined) md['kernel-id'] = imageEc2Id('aki', instance.kernelId)
    if (instance.ramdiskId !== undefined) md['ramdisk-id'] = imageEc2Id('ari', instance.ramdiskId)
  }
  if (at('2008-02-01')) md.placement = { 'availability-zone': instance.availabilityZone }
  if (at('2008-09-01')) md['instance-action'] = 'none'
  return md
}
