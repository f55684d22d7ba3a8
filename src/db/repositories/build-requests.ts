import type { Database } from '../dialects.js'
import type { UntypedExecutor, UntypedKysely } from '../untyped.js'
import type { InstanceFields, InstanceRecord, NewInstance } from './instances.js'

/** Every column of `instances` a build request carries (the rest of a record is filled in by recordOf). */
const INSTANCE_FIELDS: readonly (keyof InstanceFields)[] = [
  'user_id',
  'project_id',
  'display_name',
  'display_description',
  'hostname',
  'host',
  'node',
  'launched_on',
  'vm_state',
  'task_state',
  'power_state',
  'memory_mb',
  'vcpus',
  'root_gb',
  'ephemeral_gb',
  'instance_type_id',
  'image_ref',
  'kernel_id',
  'ramdisk_id',
  'key_name',
  'key_data',
  'user_data',
  'reservation_id',
  'launch_index',
  'launched_at',
  'terminated_at',
  'scheduled_at',
  'availability_zone',
  'locked',
  'locked_by',
  'os_type',
  'architecture',
  'vm_mode',
  'root_device_name',
  'config_drive',
  'access_ip_v4',
  'access_ip_v6',
  'auto_disk_config',
  'progress',
  'shutdown_terminate',
  'disable_terminate',
  'hidden',
]

/** Nova's BuildRequest (API database): an instance accepted by the API and not yet created in a cell. */
export interface BuildRequestRecord {
  readonly instanceUuid: string
  readonly projectId: string
  /** The instance the conductor creates in the cell once scheduled (metadata, system metadata, tags, flavor). */
  readonly instance: NewInstance & { readonly uuid: string }
  readonly createdAt: Date | null
}

export interface BuildRequestsRepository {
  /** Writes the build request with `executor` (the API's create transaction). */
  create(executor: UntypedExecutor, instance: NewInstance & { readonly uuid: string }): Promise<void>
  get(uuid: string): Promise<BuildRequestRecord | undefined>
  /** The build requests of a project (all: every project), newest first. */
  list(projectId?: string): Promise<BuildRequestRecord[]>
  /**
   * Deletes the build request; true only for the caller that deleted it. The API (a delete before the instance
   * reached a cell) and the conductor (creating the instance in the cell) race on this: exactly one wins.
   */
  destroy(uuid: string): Promise<boolean>
  /** Changes the build request's instance (a rename before it reaches the cell); undefined when it is gone. */
  update(uuid: string, changes: InstanceFields): Promise<BuildRequestRecord | undefined>
}

/** The build request's instance as an instances record (BUILD, no host, id 0), for the API's views. */
export function recordOf(request: BuildRequestRecord): InstanceRecord {
  const fields: Record<string, unknown> = {}
  for (const key of INSTANCE_FIELDS) fields[key] = null
  const { metadata, system_metadata: systemMetadata, tags, flavor, uuid, ...rest } = request.instance
  return {
    ...(fields as Required<InstanceFields>),
    ...rest,
    id: 0,
    uuid,
    created_at: request.createdAt,
    updated_at: null,
    deleted_at: null,
    deleted: false,
    metadata: metadata ?? {},
    system_metadata: systemMetadata ?? {},
    tags: tags ?? [],
    flavor: flavor ?? null,
    fault: undefined,
  } as InstanceRecord
}

export function createBuildRequestsRepository(db: Database<unknown>): BuildRequestsRepository {
  const k = db.kysely as UntypedKysely
  const d = db.differences
  const rowOf = (row: Record<string, unknown>): BuildRequestRecord => ({
    instanceUuid: String(row.instance_uuid),
    projectId: String(row.project_id),
    instance: JSON.parse(String(row.instance)) as NewInstance & { uuid: string },
    createdAt: d.fromDbDate(row.created_at) ?? null,
  })
  const get = async (uuid: string): Promise<BuildRequestRecord | undefined> => {
    const row = (await k
      .selectFrom('build_requests')
      .selectAll()
      .where('instance_uuid', '=', uuid)
      .executeTakeFirst()) as Record<string, unknown> | undefined
    return row === undefined ? undefined : rowOf(row)
  }
  return {
    get,
    async update(uuid, changes) {
      const current = await get(uuid)
      if (current === undefined) return undefined
      const instance = { ...current.instance, ...changes }
      const result = await k
        .updateTable('build_requests')
        .set({ instance: JSON.stringify(instance), updated_at: d.toDbDate(new Date()) })
        .where('instance_uuid', '=', uuid)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0 ? { ...current, instance } : undefined
    },
    async create(executor, instance) {
      await executor
        .insertInto('build_requests')
        .values({
          instance_uuid: instance.uuid,
          project_id: instance.project_id ?? '',
          instance: JSON.stringify(instance),
          tags: JSON.stringify(instance.tags ?? []),
          created_at: d.toDbDate(new Date()),
        })
        .execute()
    },
    async list(projectId) {
      let q = k.selectFrom('build_requests').selectAll()
      if (projectId !== undefined) q = q.where('project_id', '=', projectId)
      const rows = (await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute()) as Record<
        string,
        unknown
      >[]
      return rows.map(rowOf)
    },
    async destroy(uuid) {
      const result = await k.deleteFrom('build_requests').where('instance_uuid', '=', uuid).executeTakeFirst()
      return Number((result as { numDeletedRows?: bigint }).numDeletedRows ?? 0) > 0
    },
  }
}
