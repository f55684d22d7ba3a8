export {
  capabilityTraits,
  DEFAULT_CAPABILITIES,
  type DriverCapabilities,
  type ImageType,
} from './capabilities.js'
export {
  supportsLiveMigration,
  supportsSnapshot,
  versionToInt,
  type BlockDevice,
  type BlockDeviceInfo,
  type GuestAllocations,
  type GuestDiagnostics,
  type GuestFlavor,
  type GuestInfo,
  type GuestRef,
  type HostResources,
  type HypervisorDriver,
  type ImageMeta,
  type InstanceSpec,
  type LiveMigrationCapable,
  type LiveMigrationRequest,
  type SnapshotCapable,
  type SnapshotImage,
  type SpawnRequest,
  type VifInfo,
} from './driver.js'
export { GuestExists, GuestInvalidState, GuestNotFound, SpawnFailed } from './errors.js'
export { PowerState, POWER_STATE_NAMES, powerStateName } from './power-state.js'
