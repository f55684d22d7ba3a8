import { createHash } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { InstanceRecord } from '../../../db/repositories/instances.js'
import { atLeast } from '../microversion.js'
import { resourceLinks, type Caller, type RequestSettings } from '../request.js'

/** The flavor an instance keeps (Nova's instance.flavor, in instance_extra.flavor as {cur}). */
export interface InstanceFlavor {
  readonly flavorid: string
  readonly name: string
  readonly vcpus: number
  readonly memory_mb: number
  readonly root_gb: number
  readonly ephemeral_gb: number
  readonly swap: number
  readonly extra_specs: Readonly<Record<string, string>>
}

export const flavorOf = (instance: InstanceRecord): InstanceFlavor | undefined =>
  (instance.flavor as { cur?: InstanceFlavor } | null)?.cur

/** vm_state → [default status, task_state overrides] (nova/api/openstack/common.py _STATE_MAP). */
const RESIZE = ['resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish']
const REBUILD = ['rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning']
const STATE_MAP: Readonly<Record<string, readonly [string, Readonly<Record<string, string>>]>> = {
  active: [
    'ACTIVE',
    {
      rebooting: 'REBOOT',
      reboot_pending: 'REBOOT',
      reboot_started: 'REBOOT',
      rebooting_hard: 'HARD_REBOOT',
      reboot_pending_hard: 'HARD_REBOOT',
      reboot_started_hard: 'HARD_REBOOT',
      updating_password: 'PASSWORD',
      migrating: 'MIGRATING',
      ...Object.fromEntries(REBUILD.map((t) => [t, 'REBUILD'])),
      ...Object.fromEntries(RESIZE.map((t) => [t, 'RESIZE'])),
    },
  ],
  building: ['BUILD', {}],
  stopped: [
    'SHUTOFF',
    {
      ...Object.fromEntries(RESIZE.map((t) => [t, 'RESIZE'])),
      ...Object.fromEntries(REBUILD.map((t) => [t, 'REBUILD'])),
    },
  ],
  resized: ['VERIFY_RESIZE', { resize_reverting: 'REVERT_RESIZE' }],
  paused: ['PAUSED', { migrating: 'MIGRATING' }],
  suspended: ['SUSPENDED', {}],
  rescued: ['RESCUE', {}],
  error: ['ERROR', Object.fromEntries(REBUILD.map((t) => [t, 'REBUILD']))],
  deleted: ['DELETED', {}],
  'soft-delete': ['SOFT_DELETED', {}],
  shelved: ['SHELVED', {}],
  shelved_offloaded: ['SHELVED_OFFLOADED', {}],
}

/** The API status of a vm_state and task_state (§4.2). */
export function statusOf(vmState: string | null, taskState: string | null, deleted = false): string {
  if (deleted) return 'DELETED'
  const entry = STATE_MAP[vmState ?? '']
  if (entry === undefined) return 'UNKNOWN'
  return entry[1][taskState ?? ''] ?? entry[0]
}

/** The vm_states (and task_states, undefined = any) a status filter means (Nova's task_and_vm_state_from_status). */
export function statesOf(status: string): { vmStates: string[]; taskStates: (string | null)[] | undefined } {
  const upper = status.toUpperCase()
  const vmStates: string[] = []
  const taskStates = new Set<string | null>()
  let anyTask = false
  for (const [vm, [def, overrides]] of Object.entries(STATE_MAP)) {
    const tasks = Object.entries(overrides)
      .filter(([, s]) => s === upper)
      .map(([t]) => t)
    if (def === upper) {
      vmStates.push(vm)
      anyTask = true
    } else if (tasks.length > 0) {
      vmStates.push(vm)
      for (const t of tasks) taskStates.add(t)
    }
  }
  return { vmStates, taskStates: anyTask ? undefined : [...taskStates] }
}

const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING'])

/** `YYYY-MM-DDTHH:MM:SSZ`. */
export const isoSeconds = (d: Date | null): string | null =>
  d === null ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Nova's naive timestamp with microseconds (`2013-09-23T13:37:00.880302`). */
const naive = (d: Date | null): string | null =>
  d === null
    ? null
    : d
        .toISOString()
        .replace(/Z$/, '')
        .replace(/\.(\d{3})$/, '.$1000')

/** sha224(project + host), kept per pair (a list asks it for every server; few pairs exist). */
const HOST_IDS = new Map<string, string>()
function hostId(projectId: string | null, host: string | null): string {
  if (host === null || host === '') return ''
  const key = `${projectId ?? ''}${host}`
  let id = HOST_IDS.get(key)
  if (id === undefined) {
    if (HOST_IDS.size >= 10_000) HOST_IDS.clear()
    id = createHash('sha224').update(key).digest('hex')
    HOST_IDS.set(key, id)
  }
  return id
}

export const instanceName = (instance: InstanceRecord): string =>
  `instance-${instance.id.toString(16).padStart(8, '0')}`

/** `GET /servers` entry: id, name, links. */
export function basicView(request: FastifyRequest, settings: RequestSettings, instance: InstanceRecord) {
  return {
    id: instance.uuid,
    name: instance.display_name ?? '',
    links: resourceLinks(request, settings, 'servers', instance.uuid),
  }
}

/** What update and rebuild answers leave out before 2.75 (they show everything from 2.75). */
const NOT_IN_ACTION_VIEW = new Set([
  'OS-EXT-AZ:availability_zone',
  'config_drive',
  'key_name',
  'OS-SRV-USG:launched_at',
  'OS-SRV-USG:terminated_at',
  'security_groups',
  'OS-EXT-STS:task_state',
  'OS-EXT-STS:vm_state',
  'OS-EXT-STS:power_state',
  'os-extended-volumes:volumes_attached',
  'host_status',
])

/**
 * The server in the answer of `PUT /servers/{id}` and of rebuild: before 2.75 without the extended attributes,
 * status, usage, key, zone, config drive, security groups and volumes; from 2.75 the full view with the
 * `server_groups` (uuids) it belongs to.
 */
export function actionView(
  request: FastifyRequest,
  settings: RequestSettings,
  caller: Caller,
  instance: InstanceRecord,
  serverGroups: readonly string[],
  options: { readonly rebuild?: boolean } = {},
): Record<string, unknown> {
  const server = detailView(request, settings, caller, instance)
  // A rebuild answers its key (it may set one) from 2.54 and its user data from 2.57.
  const rebuildExtras =
    options.rebuild === true
      ? {
          ...(atLeast(request, 54) ? { key_name: instance.key_name } : {}),
          ...(atLeast(request, 57) ? { user_data: instance.user_data } : {}),
        }
      : {}
  // A rebuild shows the user data only as `user_data`, never as the admin's OS-EXT-SRV-ATTR:user_data.
  if (options.rebuild === true) delete server['OS-EXT-SRV-ATTR:user_data']
  if (atLeast(request, 75)) return { ...server, server_groups: [...serverGroups], ...rebuildExtras }
  for (const key of Object.keys(server))
    if (key.startsWith('OS-EXT-SRV-ATTR:') || NOT_IN_ACTION_VIEW.has(key)) delete server[key]
  return { ...server, ...rebuildExtras }
}

/** Nova's server view (views/servers.py ViewBuilder.show) at the request's microversion. */
export function detailView(
  request: FastifyRequest,
  settings: RequestSettings,
  caller: Caller,
  instance: InstanceRecord,
): Record<string, unknown> {
  const status = statusOf(instance.vm_state, instance.task_state, instance.deleted)
  const flavor = flavorOf(instance)
  const links = resourceLinks(request, settings, 'servers', instance.uuid)
  const bookmark = (collection: string, id: string) =>
    resourceLinks(request, settings, collection, id).filter((l) => l.rel === 'bookmark')
  const server: Record<string, unknown> = {
    id: instance.uuid,
    name: instance.display_name ?? '',
    status,
    tenant_id: instance.project_id ?? '',
    user_id: instance.user_id ?? '',
    metadata: { ...instance.metadata },
    hostId: hostId(instance.project_id, instance.host),
    image:
      instance.image_ref === null || instance.image_ref === ''
        ? ''
        : { id: instance.image_ref, links: bookmark('images', instance.image_ref) },
    flavor: atLeast(request, 47)
      ? {
          vcpus: flavor?.vcpus ?? 0,
          ram: flavor?.memory_mb ?? 0,
          disk: flavor?.root_gb ?? 0,
          ephemeral: flavor?.ephemeral_gb ?? 0,
          swap: flavor?.swap ?? 0,
          original_name: flavor?.name ?? '',
          ...(caller.isAdmin ? { extra_specs: { ...(flavor?.extra_specs ?? {}) } } : {}),
        }
      : { id: flavor?.flavorid ?? '', links: bookmark('flavors', flavor?.flavorid ?? '') },
    created: isoSeconds(instance.created_at),
    updated: isoSeconds(instance.updated_at ?? instance.created_at),
    addresses: {},
    accessIPv4: instance.access_ip_v4 ?? '',
    accessIPv6: instance.access_ip_v6 ?? '',
    links,
    'OS-DCF:diskConfig': instance.auto_disk_config === true ? 'AUTO' : 'MANUAL',
    'OS-EXT-AZ:availability_zone': instance.availability_zone ?? '',
    config_drive: instance.config_drive ?? '',
    key_name: instance.key_name,
    'OS-SRV-USG:launched_at': naive(instance.launched_at),
    'OS-SRV-USG:terminated_at': naive(instance.terminated_at),
    security_groups: [{ name: 'default' }],
    'OS-EXT-STS:task_state': instance.task_state,
    'OS-EXT-STS:vm_state': instance.vm_state,
    'OS-EXT-STS:power_state': instance.power_state ?? 0,
    'os-extended-volumes:volumes_attached': [],
  }
  if (PROGRESS_STATUSES.has(status)) server.progress = instance.progress ?? 0
  if ((status === 'ERROR' || status === 'DELETED') && instance.fault !== undefined) {
    const f = instance.fault
    server.fault = {
      code: f.code,
      created: isoSeconds(f.created_at),
      message: f.message,
      ...(f.details !== null && (caller.isAdmin || f.code !== 500) ? { details: f.details } : {}),
    }
  }
  if (caller.isAdmin) {
    server['OS-EXT-SRV-ATTR:host'] = instance.host
    server['OS-EXT-SRV-ATTR:hypervisor_hostname'] = instance.node
    server['OS-EXT-SRV-ATTR:instance_name'] = instanceName(instance)
    if (atLeast(request, 3)) {
      server['OS-EXT-SRV-ATTR:hostname'] = instance.hostname
      server['OS-EXT-SRV-ATTR:kernel_id'] = instance.kernel_id ?? ''
      server['OS-EXT-SRV-ATTR:launch_index'] = instance.launch_index
      server['OS-EXT-SRV-ATTR:ramdisk_id'] = instance.ramdisk_id ?? ''
      server['OS-EXT-SRV-ATTR:reservation_id'] = instance.reservation_id
      server['OS-EXT-SRV-ATTR:root_device_name'] = instance.root_device_name
      server['OS-EXT-SRV-ATTR:user_data'] = instance.user_data
    }
  } else if (atLeast(request, 90)) server['OS-EXT-SRV-ATTR:hostname'] = instance.hostname
  if (atLeast(request, 9)) server.locked = instance.locked === true
  if (atLeast(request, 19)) server.description = instance.display_description
  if (atLeast(request, 26)) server.tags = [...instance.tags]
  if (atLeast(request, 63)) server.trusted_image_certificates = null
  if (atLeast(request, 73)) server.locked_reason = instance.system_metadata.locked_reason ?? null
  return server
}
