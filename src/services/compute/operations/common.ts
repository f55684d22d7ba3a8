import type { RequestContext } from '../../../common/context.js'
import type { Logger } from '../../../common/logger.js'
import type { ConductorClient, InstanceView } from '../../conductor/client.js'
import { imageProperties, imagePropertiesOfInstance, type ImageClient } from '../../image/client.js'
import type { PlacementClient } from '../../placement/client.js'
import type { ComputeClient } from '../client.js'
import type {
  GuestAllocations,
  GuestFlavor,
  HypervisorDriver,
  ImageMeta,
  SpawnRequest,
} from '../driver/driver.js'
import { instanceSpecOf } from '../instance-spec.js'
import { errorText, withInstanceEvent } from '../instance-event.js'
import type { ResourceTracker } from '../resource-tracker.js'

/** What the move operations need (the compute manager's dependencies, the image service and two options). */
export interface MoveOperationDeps {
  readonly host: string
  readonly driver: HypervisorDriver
  readonly conductor: ConductorClient
  /** Casts to other computes (resize's hops between source and destination). */
  readonly compute: ComputeClient
  readonly tracker: ResourceTracker
  readonly placement: PlacementClient | undefined
  /** Snapshots, backups and shelve images are uploaded here; undefined: no image service configured. */
  readonly images: ImageClient | undefined
  /** `[DEFAULT] shelved_offload_time`: 0 offloads at once, -1 never, > 0 after that many seconds. */
  readonly shelvedOffloadTimeS: number
  readonly logger: Logger
}

/** A flavor as instance_extra keeps it (Nova's Flavor object fields). */
export interface FlavorRecord {
  readonly flavorid?: string
  readonly name?: string
  readonly vcpus: number
  readonly memory_mb: number
  readonly root_gb: number
  readonly ephemeral_gb: number
  readonly swap: number
  readonly extra_specs?: Readonly<Record<string, string>>
}

/** instance_extra.flavor: the current flavor and, during a resize, the old and new ones. */
export interface InstanceFlavors {
  readonly cur: FlavorRecord | null
  readonly old: FlavorRecord | null
  readonly new: FlavorRecord | null
}

export function flavorsOf(instance: InstanceView): InstanceFlavors {
  const f = (instance.flavor ?? {}) as Partial<InstanceFlavors>
  return { cur: f.cur ?? null, old: f.old ?? null, new: f.new ?? null }
}

/** The flavor of the instance's columns when instance_extra has none. */
export function currentFlavor(instance: InstanceView): FlavorRecord {
  return (
    flavorsOf(instance).cur ?? {
      vcpus: instance.vcpus ?? 0,
      memory_mb: instance.memory_mb ?? 0,
      root_gb: instance.root_gb ?? 0,
      ephemeral_gb: instance.ephemeral_gb ?? 0,
      swap: 0,
    }
  )
}

export const guestFlavor = (f: FlavorRecord): GuestFlavor => ({
  vcpus: f.vcpus,
  memoryMb: f.memory_mb,
  rootGb: f.root_gb,
  ephemeralGb: f.ephemeral_gb,
  swapMb: f.swap,
  extraSpecs: f.extra_specs ?? {},
})

/** The instance columns that mirror its flavor. */
export const flavorColumns = (f: FlavorRecord): Record<string, number> => ({
  vcpus: f.vcpus,
  memory_mb: f.memory_mb,
  root_gb: f.root_gb,
  ephemeral_gb: f.ephemeral_gb,
})

/** What spawn (or finish_migration) gets for the instance as it is, with `flavor` and its image. */
export function spawnRequestOf(
  instance: InstanceView,
  options: {
    readonly flavor?: FlavorRecord
    readonly imageId?: string | null
    /** The image's metadata (imageMetaOf); default: only the image's id, no properties. */
    readonly image?: ImageMeta
    readonly allocations?: GuestAllocations
    readonly adminPassword?: string
    readonly powerOn?: boolean
  } = {},
): SpawnRequest {
  const imageId = options.imageId === undefined ? instance.image_ref : options.imageId
  return {
    instance: instanceSpecOf(
      instance,
      guestFlavor(options.flavor ?? currentFlavor(instance)),
      options.flavor?.name === undefined ? {} : { flavorName: options.flavor.name },
    ),
    image: options.image ?? {
      ...(imageId === null || imageId === '' ? {} : { id: imageId }),
      properties: {},
    },
    allocations: options.allocations ?? {},
    networkInfo: [],
    blockDeviceInfo: { blockDevices: [] },
    ...(options.adminPassword === undefined ? {} : { adminPassword: options.adminPassword }),
    ...(options.powerOn === undefined ? {} : { powerOn: options.powerOn }),
  }
}

export { errorText } from '../instance-event.js'

/**
 * The image the instance was booted from, as its system metadata keeps it (Nova's
 * get_image_from_system_metadata): the properties (kernel_id, hw_*, os_command_line, …) and the disk format.
 */
export function imageFromSystemMetadata(
  imageId: string | null,
  systemMetadata: Readonly<Record<string, string>>,
): ImageMeta {
  const diskFormat = systemMetadata.image_disk_format
  return {
    ...(imageId === null || imageId === '' ? {} : { id: imageId }),
    ...(diskFormat === undefined ? {} : { diskFormat }),
    properties: imagePropertiesOfInstance(systemMetadata),
  }
}

/**
 * The metadata of image `imageId` for the driver (Nova's ImageMeta.from_image_ref): from the image service when
 * there is one (ImageNotFound when it has no such image); without one, the instance's own image as its system
 * metadata keeps it, or only the id for another image.
 */
export async function imageMetaOf(
  deps: MoveOperationDeps,
  instance: InstanceView,
  imageId: string,
): Promise<ImageMeta> {
  if (deps.images === undefined)
    return imageId === instance.image_ref
      ? imageFromSystemMetadata(imageId, instance.system_metadata)
      : { id: imageId, properties: {} }
  const image = await deps.images.show(imageId)
  return {
    id: image.id,
    ...(image.name === null ? {} : { name: image.name }),
    ...(image.disk_format === null ? {} : { diskFormat: image.disk_format }),
    ...(image.container_format === null ? {} : { containerFormat: image.container_format }),
    ...(image.size === null ? {} : { size: image.size }),
    properties: imageProperties(image),
  }
}

/** Runs `fn` as the instance action event `event` on this host (Nova's wrap_instance_event). */
export const withEvent = <T>(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  event: string,
  fn: () => Promise<T>,
): Promise<T> => withInstanceEvent(deps, ctx, uuid, event, fn)

/**
 * An operation on one instance as the event `event` (its RPC is a cast): the instance is read, then `operation`
 * runs; a failure puts the instance in ERROR with a fault (failInstance) and ends the event in Error.
 */
export async function instanceOperation(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  event: string,
  operation: (instance: InstanceView) => Promise<void>,
): Promise<void> {
  await withEvent(deps, ctx, uuid, event, async () => {
    const instance = await deps.conductor.instanceGet(ctx, uuid)
    try {
      await operation(instance)
    } catch (error) {
      await failInstance(deps, ctx, uuid, error)
      throw error
    }
  }).catch(() => undefined)
}

/**
 * A failed operation (Nova's _error_out_instance_on_exception): the fault first, then vm_state error (or
 * `vmState` when given: a failure that leaves the guest as it was only clears the task), task_state none.
 */
export async function failInstance(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  uuid: string,
  error: unknown,
  vmState = 'error',
): Promise<void> {
  const { conductor, host, logger } = deps
  logger.error({ err: error, instance: uuid }, 'instance operation failed')
  try {
    await conductor.instanceFaultCreate(ctx, uuid, {
      code: 500,
      message: error instanceof Error ? error.message : String(error),
      details: errorText(error),
      host,
    })
    await conductor.instanceUpdate(ctx, uuid, { vm_state: vmState, task_state: null })
  } catch (e) {
    logger.warn({ err: e, instance: uuid }, 'could not record the failure of the instance')
  }
}

/** Nova's vm_state after an operation that leaves the guest running or stopped as it was before. */
export const settledVmState = (oldVmState: string | null | undefined): string =>
  oldVmState === 'stopped' ? 'stopped' : 'active'
