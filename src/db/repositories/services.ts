import type { UntypedKysely } from '../untyped.js'
import { randomUUID } from 'node:crypto'
import { ServiceBinaryExists, ServiceNotFound } from '../../common/errors/index.js'
import type { Database } from '../dialects.js'
import { softDelete } from '../optimistic.js'

/** A row of `services` (os-services), with Date values whatever the engine. */
export interface ServiceRecord {
  readonly id: number
  readonly uuid: string
  readonly host: string
  readonly binary: string
  readonly topic: string | undefined
  readonly reportCount: number
  readonly disabled: boolean
  readonly disabledReason: string | undefined
  readonly forcedDown: boolean
  readonly lastSeenUp: Date | undefined
  readonly version: number
  readonly createdAt: Date | undefined
  readonly updatedAt: Date | undefined
}

export interface ServicesRepository {
  /** Inserts a live service row; ServiceBinaryExists if (host, binary) already has one. */
  create(fields: {
    host: string
    binary: string
    topic: string | undefined
    version: number
  }): Promise<ServiceRecord>
  /** The live row of (host, binary), or undefined. */
  getByHostAndBinary(host: string, binary: string): Promise<ServiceRecord | undefined>
  /** ServiceNotFound if there is no live row with that id. */
  getById(id: number): Promise<ServiceRecord>
  /** Live rows ordered by id, filtered by binary/host; disabled ones too unless `includeDisabled: false`. */
  list(filter?: { binary?: string; host?: string; includeDisabled?: boolean }): Promise<ServiceRecord[]>
  /**
   * One heartbeat: updated_at = last_seen_up = now, report_count + 1, and the service's version when given.
   * ServiceNotFound if the row is gone.
   */
  heartbeat(id: number, now: Date, version?: number): Promise<void>
  /** Records the version (and topic) a restarted service runs with. */
  setVersion(id: number, version: number, topic: string | undefined): Promise<void>
  /** Sets the named fields (null disabledReason clears it); returns the row after. ServiceNotFound if gone. */
  update(
    id: number,
    changes: { disabled?: boolean; disabledReason?: string | null; forcedDown?: boolean },
  ): Promise<ServiceRecord>
  /** Soft delete; ServiceNotFound if there is no live row. */
  softDelete(id: number): Promise<void>
}

/**
 * os-services semantics: a forced-down service is down; otherwise it is up when its last heartbeat
 * (updated_at, or created_at before the first one) is at most `service_down_time` seconds old.
 */
export function isServiceUp(record: ServiceRecord, now: Date, serviceDownTimeS: number): boolean {
  if (record.forcedDown) return false
  const last = record.updatedAt ?? record.createdAt
  if (last === undefined) return false
  return (now.getTime() - last.getTime()) / 1000 <= serviceDownTimeS
}

/**
 * The `services` table of the main database, as the service lifecycle uses it. Every read returns
 * ServiceRecords with Date/boolean/number values whatever the engine; soft-deleted rows are invisible.
 */
export function createServicesRepository(db: Database<unknown>): ServicesRepository {
  const k = db.kysely as UntypedKysely
  const d = db.differences
  const toRecord = (row: Record<string, unknown>): ServiceRecord => ({
    id: Number(row.id),
    uuid: String(row.uuid),
    host: String(row.host),
    binary: String(row.binary),
    topic: (row.topic as string | null) ?? undefined,
    reportCount: Number(row.report_count),
    disabled: d.fromDbBool(row.disabled),
    disabledReason: (row.disabled_reason as string | null) ?? undefined,
    forcedDown: d.fromDbBool(row.forced_down),
    lastSeenUp: d.fromDbDate(row.last_seen_up),
    version: Number(row.version),
    createdAt: d.fromDbDate(row.created_at),
    updatedAt: d.fromDbDate(row.updated_at),
  })
  const live = () => k.selectFrom('services').selectAll().where('deleted', '=', 0)
  const getById = async (id: number): Promise<ServiceRecord> => {
    const row = await live().where('id', '=', id).executeTakeFirst()
    if (row === undefined) throw new ServiceNotFound({ id: String(id) })
    return toRecord(row)
  }
  const mustTouch = (result: { numUpdatedRows: bigint }, id: number): void => {
    if (Number(result.numUpdatedRows) === 0) throw new ServiceNotFound({ id: String(id) })
  }

  return {
    async create(fields) {
      const uuid = randomUUID()
      try {
        await k
          .insertInto('services')
          .values({
            uuid,
            host: fields.host,
            binary: fields.binary,
            topic: fields.topic ?? null,
            version: fields.version,
            report_count: 0,
            disabled: d.toDbBool(false),
            forced_down: d.toDbBool(false),
            deleted: 0,
            created_at: d.toDbDate(new Date()),
          })
          .execute()
      } catch (error) {
        if (d.isUniqueViolation(error))
          throw new ServiceBinaryExists({ host: fields.host, binary: fields.binary })
        throw error
      }
      return toRecord(
        (await live().where('uuid', '=', uuid).executeTakeFirstOrThrow()) as Record<string, unknown>,
      )
    },
    async getByHostAndBinary(host, binary) {
      const row = await live().where('host', '=', host).where('binary', '=', binary).executeTakeFirst()
      return row === undefined ? undefined : toRecord(row)
    },
    getById,
    async list(filter = {}) {
      let q = live().orderBy('id')
      if (filter.binary !== undefined) q = q.where('binary', '=', filter.binary)
      if (filter.host !== undefined) q = q.where('host', '=', filter.host)
      if (filter.includeDisabled === false) q = q.where('disabled', '=', d.toDbBool(false))
      return (await q.execute()).map(toRecord)
    },
    async heartbeat(id, now, version) {
      const at = d.toDbDate(now)
      mustTouch(
        await k
          .updateTable('services')
          .set((eb) => ({
            report_count: eb('report_count', '+', 1),
            updated_at: at,
            last_seen_up: at,
            ...(version === undefined ? {} : { version }),
          }))
          .where('id', '=', id)
          .where('deleted', '=', 0)
          .executeTakeFirst(),
        id,
      )
    },
    async setVersion(id, version, topic) {
      mustTouch(
        await k
          .updateTable('services')
          .set({ version, topic: topic ?? null, updated_at: d.toDbDate(new Date()) })
          .where('id', '=', id)
          .where('deleted', '=', 0)
          .executeTakeFirst(),
        id,
      )
    },
    async update(id, changes) {
      const set: Record<string, unknown> = { updated_at: d.toDbDate(new Date()) }
      if (changes.disabled !== undefined) set.disabled = d.toDbBool(changes.disabled)
      if (changes.disabledReason !== undefined) set.disabled_reason = changes.disabledReason
      if (changes.forcedDown !== undefined) set.forced_down = d.toDbBool(changes.forcedDown)
      mustTouch(
        await k
          .updateTable('services')
          .set(set)
          .where('id', '=', id)
          .where('deleted', '=', 0)
          .executeTakeFirst(),
        id,
      )
      return await getById(id)
    },
    async softDelete(id) {
      if (!(await softDelete(db, 'services', id))) throw new ServiceNotFound({ id: String(id) })
    },
  }
}
