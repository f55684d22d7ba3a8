import type { InstanceView } from '../conductor/client.js'
import type { GuestFlavor, GuestRef, InstanceSpec } from './driver/driver.js'

/** Nova's instance_name_template default, `instance-%08x` of the instance's id. */
export const guestRef = (instance: Pick<InstanceView, 'id' | 'uuid'>): GuestRef => ({
  uuid: instance.uuid,
  name: `instance-${instance.id.toString(16).padStart(8, '0')}`,
})

/** Whether the instance itself asked for a config drive (`config_drive` is "True", or any non-empty value). */
export const wantsConfigDrive = (instance: Pick<InstanceView, 'config_drive'>): boolean =>
  (instance.config_drive ?? '') !== ''

/**
 * Nova's configdrive.required_by: the instance asked for a config drive, `[DEFAULT] force_config_drive` is set,
 * or the image says `img_config_drive=mandatory`.
 */
export function configDriveRequired(
  instance: Pick<InstanceView, 'config_drive'>,
  imageProperties: Readonly<Record<string, string>>,
  forceConfigDrive: boolean,
): boolean {
  return wantsConfigDrive(instance) || forceConfigDrive || imageProperties.img_config_drive === 'mandatory'
}

/** The name of the instance's current flavor (instance_extra.flavor.cur), when known. */
const currentFlavorName = (instance: InstanceView): string | undefined => {
  const name = (instance.flavor as { cur?: { name?: unknown } } | null | undefined)?.cur?.name
  return typeof name === 'string' ? name : undefined
}

/**
 * The instance as the driver gets it in a spawn request: its names, owner, sizes, user data and metadata, and
 * what its config drive and metadata tell the guest (config drive wanted, key pair, launch index, zone, …).
 * `configDrive` overrides the instance's own wish (the build decides with force_config_drive and the image).
 */
export function instanceSpecOf(
  instance: InstanceView,
  flavor: GuestFlavor,
  options: { readonly flavorName?: string; readonly configDrive?: boolean } = {},
): InstanceSpec {
  const flavorName = options.flavorName ?? currentFlavorName(instance)
  return {
    ...guestRef(instance),
    displayName: instance.display_name ?? '',
    projectId: instance.project_id ?? '',
    userId: instance.user_id ?? '',
    flavor,
    ...(instance.hostname === null ? {} : { hostname: instance.hostname }),
    ...(instance.user_data === null ? {} : { userData: instance.user_data }),
    metadata: instance.metadata,
    configDrive: options.configDrive ?? wantsConfigDrive(instance),
    internalId: instance.id,
    launchIndex: instance.launch_index ?? 0,
    ...(instance.availability_zone === null ? {} : { availabilityZone: instance.availability_zone }),
    ...(instance.reservation_id === null ? {} : { reservationId: instance.reservation_id }),
    ...(instance.key_name === null || instance.key_data === null
      ? {}
      : { keyPair: { name: instance.key_name, publicKey: instance.key_data } }),
    ...(flavorName === undefined ? {} : { flavorName }),
    ...(instance.root_device_name === null ? {} : { rootDeviceName: instance.root_device_name }),
  }
}
