import type { RequestContext } from '../../common/context.js'
import type { Logger } from '../../common/logger.js'
import { Notifier, type MessageBus, type NotificationPayload } from '../../bus/index.js'
import type { InstanceActionsRepository } from '../../db/repositories/instance-actions.js'
import type { InstanceRecord, InstancesRepository } from '../../db/repositories/instances.js'

/**
 * Nova's versioned notification for each instance action event nova-compute records: the event
 * `compute_stop_instance` starts `instance.power_off.start` and ends `instance.power_off.end` (or `.error`).
 */
export const EVENT_NOTIFICATIONS: Readonly<Record<string, string>> = {
  compute__do_build_and_run_instance: 'create',
  compute_terminate_instance: 'delete',
  compute_stop_instance: 'power_off',
  compute_start_instance: 'power_on',
  compute_reboot_instance: 'reboot',
  compute_pause_instance: 'pause',
  compute_unpause_instance: 'unpause',
  compute_suspend_instance: 'suspend',
  compute_resume_instance: 'resume',
  compute_rebuild_instance: 'rebuild',
  compute_rescue_instance: 'rescue',
  compute_unrescue_instance: 'unrescue',
  compute_shelve_instance: 'shelve',
  compute_shelve_offload_instance: 'shelve_offload',
  compute_unshelve_instance: 'unshelve',
  compute_snapshot_instance: 'snapshot',
  compute_prep_resize: 'resize_prep',
  compute_resize_instance: 'resize',
  compute_finish_resize: 'resize_finish',
  compute_confirm_resize: 'resize_confirm',
  compute_revert_resize: 'resize_revert',
  compute_set_admin_password: 'update_password',
  compute_trigger_crash_dump: 'trigger_crash_dump',
  compute_soft_delete_instance: 'soft_delete',
  compute_restore_instance: 'restore',
  compute_pre_live_migration: 'live_migration_pre',
  compute__post_live_migration: 'live_migration_post',
  compute_post_live_migration_at_destination: 'live_migration_post_dest',
  compute__rollback_live_migration: 'live_migration_rollback',
  compute_rollback_live_migration_at_destination: 'live_migration_rollback_dest',
  compute_live_migration_force_complete: 'live_migration_force_complete',
  compute_live_migration_abort: 'live_migration_abort',
}

/** Nova's power_state names in notification payloads. */
const POWER_STATES: Readonly<Record<number, string>> = {
  0: 'pending',
  1: 'running',
  3: 'paused',
  4: 'shutdown',
  6: 'crashed',
  7: 'suspended',
}

const iso = (date: Date | null | undefined): string | null =>
  date === null || date === undefined ? null : date.toISOString().replace(/\.\d+Z$/, 'Z')

const nova = (name: string, version: string, data: Record<string, unknown>): Record<string, unknown> => ({
  'nova_object.name': name,
  'nova_object.namespace': 'nova',
  'nova_object.version': version,
  'nova_object.data': data,
})

interface StoredFlavor {
  readonly flavorid?: string
  readonly name?: string
  readonly memory_mb?: number
  readonly vcpus?: number
  readonly root_gb?: number
  readonly ephemeral_gb?: number
  readonly swap?: number
  readonly extra_specs?: Record<string, string>
}

/** Nova's InstanceActionPayload (1.8) of an instance, with the fault of an `.error` notification. */
export function instanceActionPayload(
  instance: InstanceRecord,
  ctx: RequestContext,
  fault?: { readonly message: string; readonly exception: string },
): NotificationPayload {
  const flavor = ((instance.flavor as { cur?: StoredFlavor } | null)?.cur ?? {}) as StoredFlavor
  return {
    name: 'InstanceActionPayload',
    version: '1.8',
    data: {
      uuid: instance.uuid,
      user_id: instance.user_id,
      tenant_id: instance.project_id,
      reservation_id: instance.reservation_id,
      display_name: instance.display_name,
      display_description: instance.display_description,
      host_name: instance.hostname,
      host: instance.host,
      node: instance.node,
      os_type: null,
      architecture: null,
      availability_zone: instance.availability_zone,
      flavor: nova('FlavorPayload', '1.4', {
        flavorid: flavor.flavorid ?? null,
        name: flavor.name ?? null,
        memory_mb: flavor.memory_mb ?? null,
        vcpus: flavor.vcpus ?? null,
        root_gb: flavor.root_gb ?? null,
        ephemeral_gb: flavor.ephemeral_gb ?? null,
        swap: flavor.swap ?? 0,
        extra_specs: flavor.extra_specs ?? {},
      }),
      image_uuid: instance.image_ref,
      key_name: instance.key_name,
      kernel_id: instance.kernel_id ?? '',
      ramdisk_id: instance.ramdisk_id ?? '',
      created_at: iso(instance.created_at),
      launched_at: iso(instance.launched_at),
      terminated_at: iso(instance.terminated_at),
      deleted_at: iso(instance.deleted_at),
      updated_at: iso(instance.updated_at),
      state: instance.vm_state,
      power_state: POWER_STATES[instance.power_state ?? 0] ?? 'pending',
      task_state: instance.task_state,
      progress: instance.progress ?? 0,
      ip_addresses: [],
      block_devices: [],
      metadata: { ...instance.metadata },
      tags: [...instance.tags],
      locked: instance.locked === true,
      locked_reason: instance.system_metadata.locked_reason ?? null,
      auto_disk_config: instance.auto_disk_config === true ? 'AUTO' : 'MANUAL',
      request_id: ctx.requestId,
      action_initiator_user: ctx.userId ?? null,
      action_initiator_project: ctx.projectId ?? null,
      fault:
        fault === undefined
          ? null
          : nova('ExceptionPayload', '1.1', {
              exception: fault.exception,
              exception_message: fault.message,
              module_name: 'nova-ts',
              function_name: 'compute',
              traceback: '',
            }),
    },
  }
}

export interface InstanceNotificationSources {
  /** The notifier publishing as `publisherId` (`nova-compute:<host>`: the events are nova-compute's). */
  readonly notifierFor: (publisherId: string) => Notifier
  readonly instance: (uuid: string) => Promise<InstanceRecord | undefined>
  readonly logger: Logger
}

/**
 * Emits `instance.<action>.start|end|error` for an instance action event. A notification never fails the
 * operation: a failure to read the instance or to publish is logged.
 */
export async function notifyInstanceEvent(
  sources: InstanceNotificationSources,
  ctx: RequestContext,
  uuid: string,
  event: string,
  phase: 'start' | 'end' | 'error',
  host: string | null,
  fault?: { readonly message: string; readonly exception: string },
): Promise<void> {
  const action = EVENT_NOTIFICATIONS[event]
  if (action === undefined) return
  try {
    const instance = await sources.instance(uuid)
    if (instance === undefined) return
    const payload = instanceActionPayload(instance, ctx, phase === 'error' ? fault : undefined)
    const type = `instance.${action}.${phase}`
    const notifier = sources.notifierFor(`nova-compute:${host ?? instance.host ?? ''}`)
    if (phase === 'error') await notifier.error(ctx, type, payload)
    else await notifier.info(ctx, type, payload)
  } catch (error) {
    sources.logger.warn({ err: error, instance: uuid }, `could not send instance.${action}.${phase}`)
  }
}

/** The conductor's notifications of compute's instance action events (when `[notifications]` asks for them). */
export interface EventNotifications extends InstanceNotificationSources {
  readonly eventInfo: (
    eventId: number,
  ) => Promise<{ instanceUuid: string; event: string; host: string | null } | undefined>
}

/** Called when an event starts: `instance.<action>.start`. */
export async function notifyEventStart(
  sources: EventNotifications | undefined,
  ctx: RequestContext,
  uuid: string,
  event: string,
  host: string | null,
): Promise<void> {
  if (sources !== undefined) await notifyInstanceEvent(sources, ctx, uuid, event, 'start', host)
}

/** Called when an event ends: `instance.<action>.end`, or `.error` with the failure's first line as fault. */
export async function notifyEventFinish(
  sources: EventNotifications | undefined,
  ctx: RequestContext,
  eventId: number,
  result: 'Success' | 'Error',
  traceback: string | undefined,
): Promise<void> {
  if (sources === undefined) return
  const info = await sources.eventInfo(eventId).catch(() => undefined)
  if (info === undefined || EVENT_NOTIFICATIONS[info.event] === undefined) return
  const first = (traceback ?? '').split('\n')[0] ?? ''
  const exception = /^(\w+)(?::|$)/.exec(first)?.[1] ?? 'Error'
  const message = first.replace(/^\w+: /, '')
  await notifyInstanceEvent(
    sources,
    ctx,
    info.instanceUuid,
    info.event,
    result === 'Success' ? 'end' : 'error',
    info.host,
    { exception, message },
  )
}

/** Whether `[notifications]` and `[oslo_messaging_notifications]` ask for versioned notifications on the bus. */
export function versionedNotificationsEnabled(config: {
  readonly notifications: { readonly notification_format: string }
  readonly oslo_messaging_notifications: { readonly driver?: readonly string[] | undefined }
}): boolean {
  const drivers = (config.oslo_messaging_notifications.driver ?? []).filter((d) => d !== 'noop' && d !== '')
  return drivers.length > 0 && config.notifications.notification_format !== 'unversioned'
}

/**
 * The conductor's event notifications for this configuration: undefined (none sent, nothing read) unless a
 * notification driver is set and `[notifications] notification_format` is `versioned` or `both`.
 */
export function eventNotificationsFor(
  config: Parameters<typeof versionedNotificationsEnabled>[0] & {
    readonly notifications: { readonly versioned_notifications_topics: readonly string[] }
  },
  bus: MessageBus,
  instances: InstancesRepository,
  actions: InstanceActionsRepository,
  logger: Logger,
): EventNotifications | undefined {
  if (!versionedNotificationsEnabled(config)) return undefined
  const notifiers = new Map<string, Notifier>()
  const topics = config.notifications.versioned_notifications_topics
  return {
    notifierFor: (publisherId) => {
      let notifier = notifiers.get(publisherId)
      if (notifier === undefined) {
        notifier = new Notifier({ bus, publisherId, topics })
        notifiers.set(publisherId, notifier)
      }
      return notifier
    },
    instance: (uuid) => instances.get(uuid, { withDeleted: true }),
    eventInfo: (eventId) => actions.eventInfo(eventId),
    logger,
  }
}
