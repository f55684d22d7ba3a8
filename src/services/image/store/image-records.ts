import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Database } from '../../../db/index.js'
import type { UntypedKysely } from '../../../db/untyped.js'
import { NotFound } from '../../../common/errors/index.js'

export type ImageStatus =
  'queued' | 'saving' | 'active' | 'killed' | 'deleted' | 'deactivated' | 'uploading' | 'importing'
export type Visibility = 'public' | 'private' | 'shared' | 'community'

export interface ImageRecord {
  readonly id: string
  readonly name: string | null
  readonly owner: string | null
  readonly status: ImageStatus
  readonly visibility: Visibility
  readonly protected: boolean
  readonly osHidden: boolean
  readonly diskFormat: string | null
  readonly containerFormat: string | null
  readonly size: number | null
  readonly virtualSize: number | null
  readonly checksum: string | null
  readonly osHashAlgo: string | null
  readonly osHashValue: string | null
  readonly minDisk: number
  readonly minRam: number
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly tags: readonly string[]
  readonly properties: Readonly<Record<string, string>>
}

export interface ImageMember {
  readonly imageId: string
  readonly member: string
  readonly status: 'pending' | 'accepted' | 'rejected'
  readonly createdAt: Date
  readonly updatedAt: Date
}

/** Columns an image record may change (JSON-patch targets that are not custom properties). */
export type ImageChanges = Partial<{
  owner: string | null
  name: string | null
  status: ImageStatus
  visibility: Visibility
  protected: boolean
  osHidden: boolean
  diskFormat: string | null
  containerFormat: string | null
  size: number | null
  virtualSize: number | null
  checksum: string | null
  osHashAlgo: string | null
  osHashValue: string | null
  minDisk: number
  minRam: number
}>

const COLUMN: Record<keyof ImageChanges, string> = {
  owner: 'owner',
  name: 'name',
  status: 'status',
  visibility: 'visibility',
  protected: 'protected',
  osHidden: 'os_hidden',
  diskFormat: 'disk_format',
  containerFormat: 'container_format',
  size: 'size',
  virtualSize: 'virtual_size',
  checksum: 'checksum',
  osHashAlgo: 'os_hash_algo',
  osHashValue: 'os_hash_value',
  minDisk: 'min_disk',
  minRam: 'min_ram',
}

/** Keys Glance lets a list sort by. */
export const SORT_KEYS = [
  'name',
  'status',
  'container_format',
  'disk_format',
  'size',
  'id',
  'created_at',
  'updated_at',
  'min_disk',
  'min_ram',
  'visibility',
] as const
export type SortKey = (typeof SORT_KEYS)[number]
const SORT_COLUMNS: Record<SortKey, string> = Object.fromEntries(SORT_KEYS.map((k) => [k, k])) as Record<
  SortKey,
  string
>
const MARKER_FIELD: Record<SortKey, string> = {
  name: 'name',
  status: 'status',
  container_format: 'containerFormat',
  disk_format: 'diskFormat',
  size: 'size',
  id: 'id',
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  min_disk: 'minDisk',
  min_ram: 'minRam',
  visibility: 'visibility',
}

/** Image records, their custom properties, tags and members. Reads fetch tags and properties in one query each. */
export function createImageRecords(db: Database<unknown>) {
  const k = db.kysely as UntypedKysely
  const d = db.differences
  const now = () => d.toDbDate(new Date())

  async function hydrate(rows: Record<string, unknown>[]): Promise<ImageRecord[]> {
    if (rows.length === 0) return []
    const ids = rows.map((r) => String(r.id))
    const props = await k.selectFrom('image_properties').selectAll().where('image_id', 'in', ids).execute()
    const tags = await k.selectFrom('image_tags').selectAll().where('image_id', 'in', ids).execute()
    return rows.map((r) => {
      const id = String(r.id)
      const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
      return {
        id,
        name: (r.name as string | null) ?? null,
        owner: (r.owner as string | null) ?? null,
        status: r.status as ImageStatus,
        visibility: r.visibility as Visibility,
        protected: d.fromDbBool(r.protected),
        osHidden: d.fromDbBool(r.os_hidden),
        diskFormat: (r.disk_format as string | null) ?? null,
        containerFormat: (r.container_format as string | null) ?? null,
        size: num(r.size),
        virtualSize: num(r.virtual_size),
        checksum: (r.checksum as string | null) ?? null,
        osHashAlgo: (r.os_hash_algo as string | null) ?? null,
        osHashValue: (r.os_hash_value as string | null) ?? null,
        minDisk: Number(r.min_disk),
        minRam: Number(r.min_ram),
        createdAt: d.fromDbDate(r.created_at)!,
        updatedAt: d.fromDbDate(r.updated_at) ?? d.fromDbDate(r.created_at)!,
        tags: tags
          .filter((t) => t.image_id === id)
          .map((t) => String(t.value))
          .sort(),
        properties: Object.fromEntries(
          props.filter((p) => p.image_id === id).map((p) => [String(p.name), String(p.value)]),
        ),
      }
    })
  }

  const toSet = (changes: ImageChanges): Record<string, unknown> => {
    const set: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(changes)) {
      set[COLUMN[key as keyof ImageChanges]] = typeof value === 'boolean' ? d.toDbBool(value) : value
    }
    return set
  }

  return {
    async create(
      fields: ImageChanges & {
        id?: string
        owner: string | null
        tags?: readonly string[]
        properties?: Record<string, string>
      },
    ): Promise<ImageRecord> {
      const id = fields.id ?? randomUUID()
      const { id: _id, owner, tags, properties, ...changes } = fields
      await k.transaction().execute(async (trx) => {
        await trx
          .insertInto('images')
          .values({
            id,
            owner,
            status: 'queued',
            visibility: 'shared',
            protected: 0,
            os_hidden: 0,
            min_disk: 0,
            min_ram: 0,
            ...toSet(changes),
            created_at: now(),
            updated_at: now(),
          })
          .execute()
        for (const tag of new Set(tags ?? []))
          await trx.insertInto('image_tags').values({ image_id: id, value: tag }).execute()
        for (const [name, value] of Object.entries(properties ?? {}))
          await trx.insertInto('image_properties').values({ image_id: id, name, value }).execute()
      })
      return await this.get(id)
    },
    async find(id: string): Promise<ImageRecord | undefined> {
      const row = await k
        .selectFrom('images')
        .selectAll()
        .where('id', '=', id)
        .where('status', '!=', 'deleted')
        .executeTakeFirst()
      return row === undefined ? undefined : (await hydrate([row]))[0]
    },
    async get(id: string): Promise<ImageRecord> {
      const image = await this.find(id)
      if (image === undefined) throw new NotFound(`No image found with ID ${id}`)
      return image
    },
    /** Images `project` may see (owner, public, community when asked, shared with it), filtered, newest first. */
    async list(filter: {
      project: string | undefined
      admin: boolean
      visibility?: Visibility
      memberStatus?: string
      name?: string
      status?: string
      owner?: string
      tag?: string
      diskFormat?: string
      containerFormat?: string
      sizeMin?: number
      sizeMax?: number
      /** Custom property filters: name = value. */
      properties?: Readonly<Record<string, string>>
      /** Column to sort by (and id as the tie-breaker), default created_at descending. */
      sort?: { readonly key: SortKey; readonly dir: 'asc' | 'desc' }
      limit: number
      marker?: ImageRecord
    }): Promise<ImageRecord[]> {
      let q = k.selectFrom('images').selectAll().where('status', '!=', 'deleted')
      if (filter.visibility !== undefined) q = q.where('visibility', '=', filter.visibility)
      if (!filter.admin || filter.visibility !== undefined) {
        const project = filter.project ?? ''
        const shared = k
          .selectFrom('image_members')
          .select('image_id')
          .where('member', '=', project)
          .where('status', '=', filter.memberStatus ?? 'accepted')
        q = q.where((eb) =>
          eb.or([
            eb('owner', '=', project),
            eb('visibility', '=', 'public'),
            ...(filter.visibility === 'community' ? [eb('visibility', '=', 'community')] : []),
            eb('id', 'in', shared),
            ...(filter.admin ? [sql<boolean>`1 = 1`] : []),
          ]),
        )
      }
      if (filter.name !== undefined) q = q.where('name', '=', filter.name)
      if (filter.status !== undefined) q = q.where('status', '=', filter.status)
      if (filter.owner !== undefined) q = q.where('owner', '=', filter.owner)
      if (filter.tag !== undefined)
        q = q.where('id', 'in', k.selectFrom('image_tags').select('image_id').where('value', '=', filter.tag))
      if (filter.diskFormat !== undefined) q = q.where('disk_format', '=', filter.diskFormat)
      if (filter.containerFormat !== undefined) q = q.where('container_format', '=', filter.containerFormat)
      if (filter.sizeMin !== undefined) q = q.where('size', '>=', filter.sizeMin)
      if (filter.sizeMax !== undefined) q = q.where('size', '<=', filter.sizeMax)
      for (const [name, value] of Object.entries(filter.properties ?? {})) {
        q = q.where(
          'id',
          'in',
          k
            .selectFrom('image_properties')
            .select('image_id')
            .where('name', '=', name)
            .where('value', '=', value),
        )
      }
      const sort = filter.sort ?? { key: 'created_at', dir: 'desc' }
      const column = SORT_COLUMNS[sort.key]
      if (filter.marker !== undefined) {
        // Keyset pagination: after the marker in (sort column, id) order.
        const m = filter.marker
        const raw = (m as unknown as Record<string, unknown>)[MARKER_FIELD[sort.key]]
        const at = raw instanceof Date ? d.toDbDate(raw) : (raw as string | number | null)
        const op = sort.dir === 'desc' ? '<' : '>'
        q = q.where((eb) =>
          at === null
            ? eb('id', op, m.id)
            : eb.or([eb(column, op, at), eb.and([eb(column, '=', at), eb('id', op, m.id)])]),
        )
      }
      const rows = await q.orderBy(column, sort.dir).orderBy('id', sort.dir).limit(filter.limit).execute()
      return await hydrate(rows)
    },
    /** Updates columns; with `expectStatus` only if the image is still in one of those states (false otherwise). */
    async update(id: string, changes: ImageChanges, expectStatus?: readonly ImageStatus[]): Promise<boolean> {
      let q = k
        .updateTable('images')
        .set({ ...toSet(changes), updated_at: now() })
        .where('id', '=', id)
      if (expectStatus !== undefined) q = q.where('status', 'in', expectStatus)
      return Number((await q.executeTakeFirst()).numUpdatedRows) > 0
    },
    async setProperties(id: string, properties: Record<string, string | null>): Promise<void> {
      await k.transaction().execute(async (trx) => {
        for (const [name, value] of Object.entries(properties)) {
          await trx
            .deleteFrom('image_properties')
            .where('image_id', '=', id)
            .where('name', '=', name)
            .execute()
          if (value !== null)
            await trx.insertInto('image_properties').values({ image_id: id, name, value }).execute()
        }
        await trx.updateTable('images').set({ updated_at: now() }).where('id', '=', id).execute()
      })
    },
    async setTags(id: string, tags: readonly string[]): Promise<void> {
      await k.transaction().execute(async (trx) => {
        await trx.deleteFrom('image_tags').where('image_id', '=', id).execute()
        for (const tag of new Set(tags))
          await trx.insertInto('image_tags').values({ image_id: id, value: tag }).execute()
        await trx.updateTable('images').set({ updated_at: now() }).where('id', '=', id).execute()
      })
    },
    async remove(id: string): Promise<void> {
      await k.transaction().execute(async (trx) => {
        for (const table of ['image_tags', 'image_properties', 'image_members'])
          await trx.deleteFrom(table).where('image_id', '=', id).execute()
        await trx.deleteFrom('images').where('id', '=', id).execute()
      })
    },

    async members(imageId: string): Promise<ImageMember[]> {
      const rows = await k
        .selectFrom('image_members')
        .selectAll()
        .where('image_id', '=', imageId)
        .orderBy('member')
        .execute()
      return rows.map((r) => ({
        imageId,
        member: String(r.member),
        status: r.status as ImageMember['status'],
        createdAt: d.fromDbDate(r.created_at)!,
        updatedAt: d.fromDbDate(r.updated_at) ?? d.fromDbDate(r.created_at)!,
      }))
    },
    async addMember(imageId: string, member: string): Promise<boolean> {
      const exists = await k
        .selectFrom('image_members')
        .select('member')
        .where('image_id', '=', imageId)
        .where('member', '=', member)
        .executeTakeFirst()
      if (exists !== undefined) return false
      await k
        .insertInto('image_members')
        .values({ image_id: imageId, member, status: 'pending', created_at: now(), updated_at: now() })
        .execute()
      return true
    },
    async setMemberStatus(imageId: string, member: string, status: ImageMember['status']): Promise<boolean> {
      const result = await k
        .updateTable('image_members')
        .set({ status, updated_at: now() })
        .where('image_id', '=', imageId)
        .where('member', '=', member)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async removeMember(imageId: string, member: string): Promise<boolean> {
      const result = await k
        .deleteFrom('image_members')
        .where('image_id', '=', imageId)
        .where('member', '=', member)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async usage(owner: string): Promise<{ count: number; bytes: number }> {
      const row = await k
        .selectFrom('images')
        .select((eb) => [eb.fn.countAll().as('count'), eb.fn.sum('size').as('bytes')])
        .where('owner', '=', owner)
        .where('status', '!=', 'deleted')
        .executeTakeFirstOrThrow()
      return { count: Number(row.count), bytes: Number(row.bytes ?? 0) }
    },
  }
}

export type ImageRecords = ReturnType<typeof createImageRecords>
