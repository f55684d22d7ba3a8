import { Readable } from 'node:stream'
import type { RequestContext } from '../../../common/context.js'
import { Invalid } from '../../../common/errors/index.js'
import { snapshotImageFields } from '../../image/client.js'
import type { InstanceView } from '../../conductor/client.js'
import type { GuestAllocations } from '../driver/driver.js'
import { supportsSnapshot } from '../driver/driver.js'
import { GuestNotFound } from '../driver/errors.js'
import { PowerState } from '../driver/power-state.js'
import { guestRef } from '../manager.js'
import {
  failInstance,
  imageMetaOf,
  spawnRequestOf,
  instanceOperation,
  withEvent,
  type MoveOperationDeps,
} from './common.js'

/**
 * Takes the guest's disk with the driver and uploads it into the image `imageId` (created here, named `name`,
 * when undefined). The driver reports its progress as task states, mapped by `taskStates` and saved in order
 * after `from`. Without a snapshot driver or an image service the task states still move and no image is made.
 */
async function snapshotTo(
  deps: MoveOperationDeps,
  ctx: RequestContext,
  instance: InstanceView,
  target: { readonly imageId?: string; readonly name: string; readonly properties?: Record<string, string> },
  taskStates: { readonly from: string; readonly pending: string; readonly uploading: string },
): Promise<string | null> {
  const { conductor, driver, images } = deps
  let previous = taskStates.from
  const progress = async (state: 'image_pending_upload' | 'image_uploading') => {
    const next = state === 'image_pending_upload' ? taskStates.pending : taskStates.uploading
    await conductor.instanceUpdate(ctx, instance.uuid, { task_state: next }, [previous])
    previous = next
  }
  if (!supportsSnapshot(driver) || images === undefined) {
    if (target.imageId !== undefined) throw new Invalid('no snapshot driver or image service to upload to')
    await progress('image_pending_upload')
    await progress('image_uploading')
    return null
  }
  // The image record first: a driver's copy is only removed once its data was read.
  const imageId =
    target.imageId ??
    (
      await images.create({
        ...snapshotImageFields(instance.system_metadata),
        name: target.name,
        instance_uuid: instance.uuid,
        ...(instance.image_ref === null ? {} : { base_image_ref: instance.image_ref }),
        ...target.properties,
      })
    ).id
  const snap = await driver.snapshot(guestRef(instance), progress)
  try {
    await images.uploadData(imageId, Readable.from(snap.data), {
      disk_format: snap.diskFormat,
      container_format: snap.containerFormat,
    })
  } catch (error) {
    // Started and stopped, the data lets the driver drop its copy (the QEMU driver's file), read or not.
    for await (const _chunk of snap.data) break
    throw error
  }
  return imageId
}

export interface ShelveArgs {
  readonly instance_uuid: string
  /** The image record the API made for the shelved disk; undefined: created here when there is an image service. */
  readonly image_id?: string
  readonly clean_shutdown?: boolean
}

/**
 * Nova's shelve_instance: the guest is powered off, its disk snapshotted (task shelving_image_pending_upload,
 * shelving_image_uploading) into the `<name>-shelved` image, vm_state shelved with shelved_at,
 * shelved_image_id and shelved_host in system metadata; with shelved_offload_time 0, offloaded at once.
 */
export async function shelveInstance(deps: MoveOperationDeps, ctx: RequestContext, args: ShelveArgs) {
  const { conductor, driver } = deps
  const uuid = args.instance_uuid
  await instanceOperation(deps, ctx, uuid, 'compute_shelve_instance', async (instance) => {
    await driver.powerOff(guestRef(instance), { timeoutS: args.clean_shutdown === false ? 0 : 60 })
    const imageId = await snapshotTo(
      deps,
      ctx,
      instance,
      {
        ...(args.image_id === undefined ? {} : { imageId: args.image_id }),
        name: `${instance.display_name ?? uuid}-shelved`,
      },
      { from: 'shelving', pending: 'shelving_image_pending_upload', uploading: 'shelving_image_uploading' },
    )
    const offload = deps.shelvedOffloadTimeS === 0
    await conductor.instanceSave(ctx, uuid, {
      changes: {
        vm_state: 'shelved',
        task_state: offload ? 'shelving_offloading' : null,
        power_state: PowerState.SHUTDOWN,
      },
      expected_task_state: ['shelving_image_uploading'],
      system_metadata: {
        shelved_at: new Date().toISOString(),
        shelved_image_id: imageId,
        shelved_host: deps.host,
      },
    })
    if (offload) await offload_(deps, ctx, instance)
  })
}

/** Nova's _shelve_offload_instance: the guest goes, its allocations too, no host: SHELVED_OFFLOADED. */
async function offload_(deps: MoveOperationDeps, ctx: RequestContext, instance: InstanceView): Promise<void> {
  const guest = guestRef(instance)
  await deps.driver.powerOff(guest).catch((error: unknown) => {
    if (!(error instanceof GuestNotFound)) throw error
  })
  await deps.driver.destroy(guest)
  deps.tracker.dropClaim(instance.uuid)
  await deps.placement?.deleteAllocations(instance.uuid).catch(() => false)
  await deps.conductor.instanceUpdate(
    ctx,
    instance.uuid,
    {
      vm_state: 'shelved_offloaded',
      task_state: null,
      power_state: PowerState.NOSTATE,
      host: null,
      node: null,
    },
    ['shelving_offloading'],
  )
}

/** Nova's shelve_offload_instance (the admin's shelveOffload, or the periodic offload). */
export async function shelveOffloadInstance(deps: MoveOperationDeps, ctx: RequestContext, uuid: string) {
  await instanceOperation(deps, ctx, uuid, 'compute_shelve_offload_instance', async (instance) => {
    await offload_(deps, ctx, instance)
  })
}

export interface UnshelveArgs {
  readonly instance_uuid: string
  /** The node the scheduler chose (an offloaded instance); undefined: the guest is still here. */
  readonly node?: string
  readonly allocations?: GuestAllocations
}

/**
 * Nova's unshelve_instance: a SHELVED guest is powered on where it is; a SHELVED_OFFLOADED one is spawned here
 * from its shelved image (task spawning). ACTIVE then, the shelved_* system metadata and the image removed.
 */
export async function unshelveInstance(deps: MoveOperationDeps, ctx: RequestContext, args: UnshelveArgs) {
  const { conductor, driver } = deps
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_unshelve_instance', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    const shelvedImage = instance.system_metadata.shelved_image_id ?? ''
    try {
      let expected = 'unshelving'
      if (instance.vm_state === 'shelved' && args.node === undefined) await driver.powerOn(guestRef(instance))
      else {
        await conductor.instanceUpdate(ctx, uuid, { task_state: 'spawning' }, ['unshelving'])
        expected = 'spawning'
        const imageId = shelvedImage === '' ? instance.image_ref : shelvedImage
        await driver.spawn(
          spawnRequestOf(instance, {
            imageId,
            // The shelved image's own metadata (it inherited the instance image's properties, e.g. kernel_id).
            ...(imageId === null || imageId === ''
              ? {}
              : { image: await imageMetaOf(deps, instance, imageId) }),
            ...(args.allocations === undefined ? {} : { allocations: args.allocations }),
          }),
        )
      }
      await conductor.instanceSave(ctx, uuid, {
        changes: {
          vm_state: 'active',
          task_state: null,
          power_state: PowerState.RUNNING,
          ...(args.node === undefined ? {} : { launched_on: deps.host }),
        },
        expected_task_state: [expected],
        system_metadata: { shelved_at: null, shelved_image_id: null, shelved_host: null },
      })
    } catch (error) {
      await failInstance(deps, ctx, uuid, error)
      throw error
    }
    if (shelvedImage !== '')
      await deps.images?.delete(shelvedImage).catch((error: unknown) => {
        deps.logger.warn({ err: error, instance: uuid }, 'could not delete the shelved image')
      })
  }).catch(() => undefined)
}

export interface SnapshotArgs {
  readonly instance_uuid: string
  /** The image record the API created. */
  readonly image_id: string
}

/**
 * Nova's snapshot_instance: task image_snapshot, then the driver's image_pending_upload and image_uploading
 * while the disk goes into the image; task none. A failure leaves the vm_state as it was (with a fault).
 */
export async function snapshotInstance(deps: MoveOperationDeps, ctx: RequestContext, args: SnapshotArgs) {
  const { conductor } = deps
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_snapshot_instance', async () => {
    const instance = await conductor.instanceUpdate(ctx, uuid, { task_state: 'image_snapshot' }, [
      'image_snapshot_pending',
    ])
    try {
      await snapshotTo(
        deps,
        ctx,
        instance,
        { imageId: args.image_id, name: '' },
        { from: 'image_snapshot', pending: 'image_pending_upload', uploading: 'image_uploading' },
      )
      await conductor.instanceUpdate(ctx, uuid, { task_state: null }, ['image_uploading'])
    } catch (error) {
      await deps.images?.delete(args.image_id).catch(() => undefined)
      await failInstance(deps, ctx, uuid, error, instance.vm_state ?? 'active')
      throw error
    }
  }).catch(() => undefined)
}

export interface BackupArgs extends SnapshotArgs {
  readonly backup_type: string
  readonly rotation: number
}

/**
 * Nova's backup_instance: the snapshot of snapshot_instance from task image_backup, then _rotate_backups: of the
 * instance's backups of `backup_type` (image_type backup), newest first, those past `rotation` are deleted.
 */
export async function backupInstance(deps: MoveOperationDeps, ctx: RequestContext, args: BackupArgs) {
  const { conductor, images } = deps
  const uuid = args.instance_uuid
  await withEvent(deps, ctx, uuid, 'compute_backup_instance', async () => {
    const instance = await conductor.instanceGet(ctx, uuid)
    try {
      await snapshotTo(
        deps,
        ctx,
        instance,
        { imageId: args.image_id, name: '' },
        { from: 'image_backup', pending: 'image_pending_upload', uploading: 'image_uploading' },
      )
      await conductor.instanceUpdate(ctx, uuid, { task_state: null }, ['image_uploading'])
    } catch (error) {
      await images?.delete(args.image_id).catch(() => undefined)
      await failInstance(deps, ctx, uuid, error, instance.vm_state ?? 'active')
      throw error
    }
    if (images === undefined) return
    const backups = (await images.list())
      .filter(
        (i) => i.instance_uuid === uuid && i.backup_type === args.backup_type && i.image_type === 'backup',
      )
      .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))
    for (const old of backups.slice(args.rotation))
      await images.delete(old.id).catch((error: unknown) => {
        deps.logger.warn({ err: error, instance: uuid, image: old.id }, 'could not delete an old backup')
      })
  }).catch(() => undefined)
}

/**
 * Nova's _poll_shelved_instances (`[DEFAULT] shelved_offload_time` > 0): the SHELVED instances of this host shelved
 * longer than that are offloaded (task shelving_offloading, then as shelveOffload).
 */
export async function offloadOverdueShelved(deps: MoveOperationDeps, ctx: RequestContext, now: Date) {
  if (deps.shelvedOffloadTimeS <= 0) return
  for (const instance of await deps.conductor.instancesOnHost(ctx, deps.host)) {
    if (instance.vm_state !== 'shelved' || instance.task_state !== null) continue
    const at = Date.parse(instance.system_metadata.shelved_at ?? '')
    if (Number.isNaN(at) || now.getTime() - at < deps.shelvedOffloadTimeS * 1000) continue
    try {
      await deps.conductor.instanceUpdate(ctx, instance.uuid, { task_state: 'shelving_offloading' }, [null])
    } catch {
      continue // something else started meanwhile
    }
    await shelveOffloadInstance(deps, ctx, instance.uuid)
  }
}
