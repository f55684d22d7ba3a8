import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { UntypedExecutor, UntypedKysely } from '../untyped.js'
import type { Database } from '../dialects.js'
import { updateWithExpectedState, withTransaction, type Expected } from '../optimistic.js'

/** The columns of `instances` a caller sets (snake_case, as Nova names them); dates as Date, booleans as boolean. */
export type InstanceFields = Partial<{
  user_id: string | null
  project_id: string | null
  display_name: string | null
  display_description: string | null
  hostname: string | null
  host: string | null
  node: string | null
  launched_on: string | null
  vm_state: string | null
  task_state: string | null
  power_state: number | null
  memory_mb: number | null
  vcpus: number | null
  root_gb: number | null
  ephemeral_gb: number | null
  instance_type_id: number | null
  image_ref: string | null
  kernel_id: string | null
  ramdisk_id: string | null
  key_name: string | null
  key_data: string | null
  user_data: string | null
  reservation_id: string | null
  launch_index: number | null
  launched_at: Date | null
  terminated_at: Date | null
  scheduled_at: Date | null
  availability_zone: string | null
  locked: boolean | null
  locked_by: string | null
  os_type: string | null
  architecture: string | null
  vm_mode: string | null
  root_device_name: string | null
  config_drive: string | null
  access_ip_v4: string | null
  access_ip_v6: string | null
  auto_disk_config: boolean | null
  progress: number | null
  shutdown_terminate: boolean | null
  disable_terminate: boolean | null
  hidden: boolean | null
}>

const DATE_FIELDS = new Set([
  'launched_at',
  'terminated_at',
  'scheduled_at',
  'created_at',
  'updated_at',
  'deleted_at',
])
const BOOL_FIELDS = new Set([
  'locked',
  'auto_disk_config',
  'shutdown_terminate',
  'disable_terminate',
  'hidden',
])

/** An instance with what belongs to it, as every engine returns it (Dates, booleans, numbers). */
export interface InstanceRecord extends Required<InstanceFields> {
  readonly id: number
  readonly uuid: string
  readonly created_at: Date | null
  readonly updated_at: Date | null
  readonly deleted_at: Date | null
  readonly deleted: boolean
  readonly metadata: Readonly<Record<string, string>>
  readonly system_metadata: Readonly<Record<string, string>>
  readonly tags: readonly string[]
  /** `instance_extra.flavor`, parsed (Nova keeps {cur, old, new} there). */
  readonly flavor: unknown
  /** The most recent fault, if any. */
  readonly fault: InstanceFault | undefined
}

export interface InstanceFault {
  readonly code: number
  readonly message: string
  readonly details: string | null
  readonly host: string | null
  readonly created_at: Date | null
}

export interface NewInstance extends InstanceFields {
  readonly uuid?: string
  readonly metadata?: Readonly<Record<string, string>>
  readonly system_metadata?: Readonly<Record<string, string>>
  readonly tags?: readonly string[]
  readonly flavor?: unknown
}

/** Filters of an instance list (Nova's instance_get_all_by_filters, the parts the API exposes). */
export interface InstanceFilter {
  readonly projectId?: string
  readonly userId?: string
  readonly uuids?: readonly string[]
  readonly host?: string
  readonly node?: string
  readonly vmStates?: readonly string[]
  readonly taskStates?: readonly (string | null)[]
  /** Exact display name, or a SQL LIKE pattern when `nameLike` is set. */
  readonly name?: string
  readonly nameLike?: boolean
  /** A regular expression searched in the display name (Nova's `name` filter of the API). */
  readonly nameRegexp?: string
  readonly imageRef?: string
  readonly instanceTypeId?: number
  readonly availabilityZone?: string
  readonly reservationId?: string
  readonly changesSince?: Date
  readonly changesBefore?: Date
  /** Include soft-deleted instances (changes-since does in Nova). */
  readonly withDeleted?: boolean
  /** Has every one of these tags / at least one / not all / none. */
  readonly tags?: readonly string[]
  readonly tagsAny?: readonly string[]
  readonly notTags?: readonly string[]
  readonly notTagsAny?: readonly string[]
}

export interface InstancePage {
  /** Columns to sort on, most significant first; `created_at` desc then `id` desc by default (Nova's order). */
  readonly sortKeys?: readonly string[]
  readonly sortDirs?: readonly ('asc' | 'desc')[]
  readonly limit?: number
  /** The uuid of the last instance of the previous page. */
  readonly marker?: string
}

const SORTABLE = new Set([
  'created_at',
  'updated_at',
  'launched_at',
  'terminated_at',
  'display_name',
  'hostname',
  'host',
  'node',
  'vm_state',
  'task_state',
  'power_state',
  'memory_mb',
  'vcpus',
  'root_gb',
  'ephemeral_gb',
  'instance_type_id',
  'image_ref',
  'availability_zone',
  'project_id',
  'user_id',
  'uuid',
  'id',
  'key_name',
  'locked',
  'launch_index',
  'reservation_id',
  'progress',
  'config_drive',
  'kernel_id',
  'ramdisk_id',
  'root_device_name',
  'access_ip_v4',
  'access_ip_v6',
])

export class UnknownSortKey extends Error {}
export class MarkerNotFound extends Error {}

export type InstancesRepository = ReturnType<typeof createInstancesRepository>

/**
 * The `instances` table and its children (metadata, system metadata, extra flavor, tags, faults, actions and
 * events) for the conductor and the API. Reads load the children of a whole page in one query per child
 * table (no N+1); writes that touch several tables run in one transaction.
 */
export function createInstancesRepository(db: Database<unknown>) {
  const k = db.kysely as UntypedKysely
  const d = db.differences
  const now = () => d.toDbDate(new Date())

  const toDb = (fields: InstanceFields): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue
      if (value === null) out[key] = null
      else if (DATE_FIELDS.has(key)) out[key] = d.toDbDate(value as Date)
      else if (BOOL_FIELDS.has(key)) out[key] = d.toDbBool(value as boolean)
      else out[key] = value
    }
    return out
  }

  async function hydrate(
    rows: Record<string, unknown>[],
    executor: UntypedExecutor = k,
  ): Promise<InstanceRecord[]> {
    if (rows.length === 0) return []
    const uuids = rows.map((r) => String(r.uuid))
    const [metadata, systemMetadata, tags, extra, faults] = await Promise.all([
      executor
        .selectFrom('instance_metadata')
        .select(['instance_uuid', 'key', 'value'])
        .where('instance_uuid', 'in', uuids)
        .where('deleted', '=', 0)
        .execute(),
      executor
        .selectFrom('instance_system_metadata')
        .select(['instance_uuid', 'key', 'value'])
        .where('instance_uuid', 'in', uuids)
        .where('deleted', '=', 0)
        .execute(),
      executor.selectFrom('tags').select(['resource_id', 'tag']).where('resource_id', 'in', uuids).execute(),
      executor
        .selectFrom('instance_extra')
        .select(['instance_uuid', 'flavor'])
        .where('instance_uuid', 'in', uuids)
        .execute(),
      executor
        .selectFrom('instance_faults')
        .select(['instance_uuid', 'code', 'message', 'details', 'host', 'created_at', 'id'])
        .where('instance_uuid', 'in', uuids)
        .orderBy('id', 'desc')
        .execute(),
    ])
    const group = <T>(
      list: Record<string, unknown>[],
      key: string,
      pick: (r: Record<string, unknown>) => T,
    ) => {
      const out = new Map<string, T[]>()
      for (const r of list) {
        const id = String(r[key])
        const entry = out.get(id)
        if (entry === undefined) out.set(id, [pick(r)])
        else entry.push(pick(r))
      }
      return out
    }
    const pairs = (r: Record<string, unknown>) =>
      [String(r.key), r.value === null ? '' : String(r.value)] as const
    const md = group(metadata as Record<string, unknown>[], 'instance_uuid', pairs)
    const smd = group(systemMetadata as Record<string, unknown>[], 'instance_uuid', pairs)
    const tg = group(tags as Record<string, unknown>[], 'resource_id', (r) => String(r.tag))
    const fl = new Map((extra as Record<string, unknown>[]).map((r) => [String(r.instance_uuid), r.flavor]))
    const ft = group(faults as Record<string, unknown>[], 'instance_uuid', (r) => r)
    return rows.map((r) => {
      const uuid = String(r.uuid)
      // The driver's row becomes the record in place: a list converts hundreds of 50-column rows.
      const record = r
      for (const key in record) {
        const value = record[key]
        if (value === undefined) record[key] = null
        else if (value === null) continue
        else if (DATE_FIELDS.has(key)) record[key] = d.fromDbDate(value) ?? null
        else if (BOOL_FIELDS.has(key)) record[key] = d.fromDbBool(value)
      }
      record.id = Number(r.id)
      record.deleted = Number(r.deleted ?? 0) !== 0
      const flavorText = fl.get(uuid)
      const fault = ft.get(uuid)?.[0]
      return Object.assign(record as unknown as InstanceRecord, {
        metadata: Object.fromEntries(md.get(uuid) ?? []),
        system_metadata: Object.fromEntries(smd.get(uuid) ?? []),
        tags: (tg.get(uuid) ?? []).sort(),
        flavor: typeof flavorText === 'string' && flavorText !== '' ? JSON.parse(flavorText) : null,
        fault:
          fault === undefined
            ? undefined
            : {
                code: Number(fault.code),
                message: String(fault.message ?? ''),
                details: fault.details === null ? null : String(fault.details),
                host: fault.host === null ? null : String(fault.host),
                created_at: d.fromDbDate(fault.created_at) ?? null,
              },
      })
    })
  }

  async function get(
    uuid: string,
    options: { withDeleted?: boolean } = {},
    executor: UntypedExecutor = k,
  ): Promise<InstanceRecord | undefined> {
    let q = executor.selectFrom('instances').selectAll().where('uuid', '=', uuid)
    if (options.withDeleted !== true) q = q.where('deleted', '=', 0)
    const row = (await q.executeTakeFirst()) as Record<string, unknown> | undefined
    return row === undefined ? undefined : (await hydrate([row], executor))[0]
  }

  const keyValues = (
    trx: UntypedExecutor,
    table: string,
    uuid: string,
    values: Readonly<Record<string, string>>,
  ) =>
    Object.keys(values).length === 0
      ? Promise.resolve()
      : trx
          .insertInto(table)
          .values(
            Object.entries(values).map(([key, value]) => ({
              instance_uuid: uuid,
              key,
              value,
              deleted: 0,
              created_at: now(),
              updated_at: now(),
            })),
          )
          .execute()
          .then(() => undefined)

  return {
    get,

    /** Creates the instance with its metadata, system metadata, flavor and tags, all or nothing. */
    async create(input: NewInstance): Promise<InstanceRecord> {
      const uuid = input.uuid ?? randomUUID()
      const { metadata, system_metadata: systemMetadata, tags, flavor, ...fields } = input
      delete (fields as { uuid?: string }).uuid
      return withTransaction(db, async (trx) => {
        await trx
          .insertInto('instances')
          .values({ ...toDb(fields), uuid, deleted: 0, created_at: now(), updated_at: now() })
          .execute()
        await keyValues(trx, 'instance_metadata', uuid, metadata ?? {})
        await keyValues(trx, 'instance_system_metadata', uuid, systemMetadata ?? {})
        await trx
          .insertInto('instance_extra')
          .values({
            instance_uuid: uuid,
            flavor: flavor === undefined ? null : JSON.stringify(flavor),
            deleted: 0,
            created_at: now(),
            updated_at: now(),
          })
          .execute()
        const unique = [...new Set(tags ?? [])]
        if (unique.length > 0)
          await trx
            .insertInto('tags')
            .values(unique.map((tag) => ({ resource_id: uuid, tag, created_at: now(), updated_at: now() })))
            .execute()
        return (await get(uuid, {}, trx))!
      })
    },

    /** A page of instances with their children; UnknownSortKey / MarkerNotFound for bad paging input. */
    async list(filter: InstanceFilter = {}, page: InstancePage = {}): Promise<InstanceRecord[]> {
      let q = k.selectFrom('instances').selectAll()
      if (filter.withDeleted !== true) q = q.where('deleted', '=', 0)
      if (filter.projectId !== undefined) q = q.where('project_id', '=', filter.projectId)
      if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId)
      if (filter.uuids !== undefined)
        q = q.where('uuid', 'in', filter.uuids.length === 0 ? [''] : [...filter.uuids])
      if (filter.host !== undefined) q = q.where('host', '=', filter.host)
      if (filter.node !== undefined) q = q.where('node', '=', filter.node)
      if (filter.vmStates !== undefined)
        q = q.where('vm_state', 'in', filter.vmStates.length === 0 ? [''] : [...filter.vmStates])
      if (filter.taskStates !== undefined) {
        const values = filter.taskStates.filter((s): s is string => s !== null)
        const withNull = filter.taskStates.includes(null)
        if (values.length === 0 && !withNull) q = q.where(sql<boolean>`1 = 0`)
        else
          q = q.where((eb) =>
            eb.or([
              ...(values.length > 0 ? [eb('task_state', 'in', values)] : []),
              ...(withNull ? [eb('task_state', 'is', null)] : []),
            ]),
          )
      }
      if (filter.name !== undefined)
        q = q.where('display_name', filter.nameLike === true ? 'like' : '=', filter.name)
      if (filter.nameRegexp !== undefined)
        q = q.where(
          db.engine === 'postgresql'
            ? sql<boolean>`display_name ~ ${filter.nameRegexp}`
            : sql<boolean>`display_name REGEXP ${filter.nameRegexp}`,
        )
      if (filter.imageRef !== undefined) q = q.where('image_ref', '=', filter.imageRef)
      if (filter.instanceTypeId !== undefined) q = q.where('instance_type_id', '=', filter.instanceTypeId)
      if (filter.availabilityZone !== undefined)
        q = q.where('availability_zone', '=', filter.availabilityZone)
      if (filter.reservationId !== undefined) q = q.where('reservation_id', '=', filter.reservationId)
      if (filter.changesSince !== undefined) q = q.where('updated_at', '>=', d.toDbDate(filter.changesSince))
      if (filter.changesBefore !== undefined)
        q = q.where('updated_at', '<=', d.toDbDate(filter.changesBefore))
      const tagged = (tags: readonly string[]) =>
        k
          .selectFrom('tags')
          .select('resource_id')
          .where('tag', 'in', [...tags])
          .groupBy('resource_id')
          .having((eb) => eb.fn.count('tag'), '=', tags.length)
      const taggedAny = (tags: readonly string[]) =>
        k
          .selectFrom('tags')
          .select('resource_id')
          .where('tag', 'in', [...tags])
      if (filter.tags !== undefined && filter.tags.length > 0) q = q.where('uuid', 'in', tagged(filter.tags))
      if (filter.tagsAny !== undefined && filter.tagsAny.length > 0)
        q = q.where('uuid', 'in', taggedAny(filter.tagsAny))
      if (filter.notTags !== undefined && filter.notTags.length > 0)
        q = q.where('uuid', 'not in', tagged(filter.notTags))
      if (filter.notTagsAny !== undefined && filter.notTagsAny.length > 0)
        q = q.where('uuid', 'not in', taggedAny(filter.notTagsAny))

      const keys = [...(page.sortKeys ?? ['created_at'])]
      const dirs = keys.map((_, i) => page.sortDirs?.[i] ?? page.sortDirs?.[0] ?? 'desc')
      for (const key of keys) if (!SORTABLE.has(key)) throw new UnknownSortKey(`Invalid sort key: ${key}`)
      // The id breaks ties, so pages never skip or repeat a row.
      if (!keys.includes('id')) {
        keys.push('id')
        dirs.push(dirs[0] ?? 'desc')
      }
      if (page.marker !== undefined) {
        let mq = k.selectFrom('instances').selectAll().where('uuid', '=', page.marker)
        if (filter.withDeleted !== true) mq = mq.where('deleted', '=', 0)
        const marker = (await mq.executeTakeFirst()) as Record<string, unknown> | undefined
        if (marker === undefined) throw new MarkerNotFound(`marker [${page.marker}] not found`)
        // Keyset: (k1, k2, …) after the marker's values in the requested directions.
        q = q.where((eb) =>
          eb.or(
            keys.map((key, i) =>
              eb.and([
                ...keys
                  .slice(0, i)
                  .map((prev) =>
                    marker[prev] === null ? eb(prev, 'is', null) : eb(prev, '=', marker[prev] as string),
                  ),
                marker[key] === null
                  ? // A NULL marker value: ascending, every non-NULL comes after it; descending, nothing does.
                    dirs[i] === 'asc'
                    ? eb(key, 'is not', null)
                    : sql<boolean>`1 = 0`
                  : dirs[i] === 'asc'
                    ? eb(key, '>', marker[key] as string)
                    : eb.or([eb(key, '<', marker[key] as string), eb(key, 'is', null)]),
              ]),
            ),
          ),
        )
      }
      // NULL sorts as the smallest value on every engine (PostgreSQL's default is the opposite).
      for (const [i, key] of keys.entries())
        q =
          d.engine === 'postgresql'
            ? q.orderBy(
                sql`${sql.ref(key)} ${sql.raw(dirs[i]!)} nulls ${sql.raw(dirs[i] === 'asc' ? 'first' : 'last')}`,
              )
            : q.orderBy(key, dirs[i]!)
      if (page.limit !== undefined) q = q.limit(page.limit)
      return hydrate((await q.execute()) as Record<string, unknown>[])
    },

    /**
     * Nova's `instance.save(expected_task_state=…)`: applies `changes` only if the row still holds an expected
     * value in every named field (UnexpectedStateError otherwise; RowNotFound if it is gone).
     */
    async update(uuid: string, changes: InstanceFields, expected: Expected = {}): Promise<InstanceRecord> {
      await updateWithExpectedState(db, {
        table: 'instances',
        idColumn: 'uuid',
        id: uuid,
        expected,
        changes: toDb(changes),
      })
      return (await get(uuid))!
    },

    /** Replaces (or merges into) the user metadata. */
    async setMetadata(
      uuid: string,
      metadata: Readonly<Record<string, string>>,
      replace: boolean,
    ): Promise<void> {
      await withTransaction(db, async (trx) => {
        let del = trx.deleteFrom('instance_metadata').where('instance_uuid', '=', uuid)
        if (!replace)
          del = del.where('key', 'in', Object.keys(metadata).length === 0 ? [''] : Object.keys(metadata))
        await del.execute()
        await keyValues(trx, 'instance_metadata', uuid, metadata)
        await trx.updateTable('instances').set({ updated_at: now() }).where('uuid', '=', uuid).execute()
      })
    },

    /** Removes one metadata key; false when the instance had no such key. */
    async deleteMetadataKey(uuid: string, key: string): Promise<boolean> {
      const result = await k
        .deleteFrom('instance_metadata')
        .where('instance_uuid', '=', uuid)
        .where('key', '=', key)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },

    /** Removes system metadata keys of the instance (e.g. the encrypted password's `password_0..3`). */
    async deleteSystemMetadata(uuid: string, keys: readonly string[]): Promise<void> {
      if (keys.length === 0) return
      await k
        .deleteFrom('instance_system_metadata')
        .where('instance_uuid', '=', uuid)
        .where('key', 'in', [...keys])
        .execute()
    },

    /** Sets system metadata keys of the instance (replacing their values), leaving the other keys. */
    async setSystemMetadata(uuid: string, values: Readonly<Record<string, string>>): Promise<void> {
      if (Object.keys(values).length === 0) return
      await withTransaction(db, async (trx) => {
        await trx
          .deleteFrom('instance_system_metadata')
          .where('instance_uuid', '=', uuid)
          .where('key', 'in', Object.keys(values))
          .execute()
        await keyValues(trx, 'instance_system_metadata', uuid, values)
      })
    },

    async setTags(uuid: string, tags: readonly string[]): Promise<void> {
      await withTransaction(db, async (trx) => {
        await trx.deleteFrom('tags').where('resource_id', '=', uuid).execute()
        const unique = [...new Set(tags)]
        if (unique.length > 0)
          await trx
            .insertInto('tags')
            .values(unique.map((tag) => ({ resource_id: uuid, tag, created_at: now(), updated_at: now() })))
            .execute()
      })
    },

    /** Records a fault (what the user sees in `fault` of a server in ERROR). */
    async addFault(uuid: string, fault: { code: number; message: string; details?: string; host?: string }) {
      await k
        .insertInto('instance_faults')
        .values({
          instance_uuid: uuid,
          code: fault.code,
          message: fault.message.slice(0, 255),
          details: fault.details ?? null,
          host: fault.host ?? null,
          deleted: 0,
          created_at: now(),
          updated_at: now(),
        })
        .execute()
    },

    /**
     * Soft-deletes the instance and the rows that go with it (metadata, system metadata, info cache, block
     * device mappings), in one transaction, only if it is still live. False when it was already gone.
     */
    async softDelete(uuid: string): Promise<boolean> {
      return withTransaction(db, async (trx) => {
        const row = (await trx
          .selectFrom('instances')
          .select('id')
          .where('uuid', '=', uuid)
          .where('deleted', '=', 0)
          .executeTakeFirst()) as { id: unknown } | undefined
        if (row === undefined) return false
        const stamp = now()
        const result = await trx
          .updateTable('instances')
          .set({ deleted: Number(row.id), deleted_at: stamp, updated_at: stamp, terminated_at: stamp })
          .where('uuid', '=', uuid)
          .where('deleted', '=', 0)
          .executeTakeFirst()
        if (Number(result.numUpdatedRows) === 0) return false
        for (const table of [
          'instance_metadata',
          'instance_system_metadata',
          'instance_info_caches',
          'block_device_mapping',
        ])
          await trx
            .updateTable(table)
            .set((eb) => ({ deleted: eb.ref('id'), deleted_at: stamp, updated_at: stamp }))
            .where('instance_uuid', '=', uuid)
            .where('deleted', '=', 0)
            .execute()
        return true
      })
    },
  }
}
