/** Disk formats a driver can boot from (Nova's `supports_image_type_*` capabilities). */
export type ImageType =
  'aki' | 'ami' | 'ari' | 'iso' | 'qcow2' | 'raw' | 'vdi' | 'vhd' | 'vhdx' | 'vmdk' | 'ploop'

/**
 * What a hypervisor driver can do (Nova's `ComputeDriver.capabilities` dict, as a typed object). Each flag that
 * Nova maps to a placement trait (`CAPABILITY_TRAITS_MAP`) becomes that trait on the compute node's provider;
 * the others steer the compute manager. Optional operations are not flags: they are separate interfaces
 * (driver.ts), and `snapshot` / `liveMigration` here only say whether the driver implements them.
 */
export interface DriverCapabilities {
  /** The driver keeps an image cache the compute manager must age (has_imagecache). Default false. */
  readonly hasImageCache: boolean
  /** Guests can be rebuilt on another host after this one failed (supports_evacuate). Default false. */
  readonly supportsEvacuate: boolean
  /** Resize / cold migration may stay on this host (supports_migrate_to_same_host → COMPUTE_SAME_HOST_COLD_MIGRATE). */
  readonly supportsMigrateToSameHost: boolean
  /** Interfaces can be hot-plugged (→ COMPUTE_NET_ATTACH_INTERFACE). */
  readonly supportsAttachInterface: boolean
  /** Device role tags are exposed to the guest (→ COMPUTE_DEVICE_TAGGING). */
  readonly supportsDeviceTagging: boolean
  /** → COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG. */
  readonly supportsTaggedAttachInterface: boolean
  /** → COMPUTE_VOLUME_ATTACH_WITH_TAG. */
  readonly supportsTaggedAttachVolume: boolean
  /** → COMPUTE_VOLUME_EXTEND. */
  readonly supportsExtendVolume: boolean
  /** → COMPUTE_VOLUME_MULTI_ATTACH. */
  readonly supportsMultiattach: boolean
  /** → COMPUTE_TRUSTED_CERTS. */
  readonly supportsTrustedCerts: boolean
  /** Dedicated host CPUs (PCPU inventory). Default false. */
  readonly supportsPcpus: boolean
  /** → COMPUTE_ACCELERATORS. */
  readonly supportsAccelerators: boolean
  /** → COMPUTE_REMOTE_MANAGED_PORTS. */
  readonly supportsRemoteManagedPorts: boolean
  /** Rescue of volume-backed instances (→ COMPUTE_RESCUE_BFV). */
  readonly supportsBfvRescue: boolean
  /** Disk formats it boots (→ COMPUTE_IMAGE_TYPE_<FORMAT> each). */
  readonly imageTypes: readonly ImageType[]
  /** Implements SnapshotCapable. */
  readonly snapshot: boolean
  /** Implements LiveMigrationCapable. */
  readonly liveMigration: boolean
  /** Implements DiagnosticsCapable (the standard diagnostics of 2.48). */
  readonly instanceDiagnostics: boolean
  /** Implements HostUptimeCapable (os-hypervisors uptime). */
  readonly hostUptime: boolean
  /** Implements ResizeCapable (resize, cold migration). */
  readonly resize: boolean
  /** Implements RescueCapable. */
  readonly rescue: boolean
  /** Implements AdminPasswordCapable (changePassword). */
  readonly setAdminPassword: boolean
  /** Implements CrashDumpCapable (trigger_crash_dump). */
  readonly triggerCrashDump: boolean
}

/** Nova's ComputeDriver defaults: nothing optional, raw images only. */
export const DEFAULT_CAPABILITIES: DriverCapabilities = {
  hasImageCache: false,
  supportsEvacuate: false,
  supportsMigrateToSameHost: false,
  supportsAttachInterface: false,
  supportsDeviceTagging: false,
  supportsTaggedAttachInterface: false,
  supportsTaggedAttachVolume: false,
  supportsExtendVolume: false,
  supportsMultiattach: false,
  supportsTrustedCerts: false,
  supportsPcpus: false,
  supportsAccelerators: false,
  supportsRemoteManagedPorts: false,
  supportsBfvRescue: false,
  imageTypes: ['raw'],
  snapshot: false,
  liveMigration: false,
  instanceDiagnostics: false,
  hostUptime: false,
  resize: false,
  rescue: false,
  setAdminPassword: false,
  triggerCrashDump: false,
}

type FlagKey = {
  [K in keyof DriverCapabilities]: DriverCapabilities[K] extends boolean ? K : never
}[keyof DriverCapabilities]

/** Nova's CAPABILITY_TRAITS_MAP, for the boolean capabilities that have a trait. */
const TRAIT_OF: Partial<Record<FlagKey, string>> = {
  supportsMigrateToSameHost: 'COMPUTE_SAME_HOST_COLD_MIGRATE',
  supportsAttachInterface: 'COMPUTE_NET_ATTACH_INTERFACE',
  supportsDeviceTagging: 'COMPUTE_DEVICE_TAGGING',
  supportsTaggedAttachInterface: 'COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG',
  supportsTaggedAttachVolume: 'COMPUTE_VOLUME_ATTACH_WITH_TAG',
  supportsExtendVolume: 'COMPUTE_VOLUME_EXTEND',
  supportsMultiattach: 'COMPUTE_VOLUME_MULTI_ATTACH',
  supportsTrustedCerts: 'COMPUTE_TRUSTED_CERTS',
  supportsAccelerators: 'COMPUTE_ACCELERATORS',
  supportsRemoteManagedPorts: 'COMPUTE_REMOTE_MANAGED_PORTS',
  supportsBfvRescue: 'COMPUTE_RESCUE_BFV',
}

/** The placement traits the capabilities stand for (Nova's `capabilities_as_traits`, true ones only), sorted. */
export function capabilityTraits(capabilities: DriverCapabilities): string[] {
  const traits = new Set<string>()
  for (const [flag, trait] of Object.entries(TRAIT_OF) as [FlagKey, string][])
    if (capabilities[flag]) traits.add(trait)
  for (const type of capabilities.imageTypes) traits.add(`COMPUTE_IMAGE_TYPE_${type.toUpperCase()}`)
  return [...traits].sort()
}
