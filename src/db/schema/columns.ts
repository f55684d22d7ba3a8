import type { ColumnType, Generated } from 'kysely'

/**
 * Column types shared by the schema interfaces, as the drivers really read and write them. Values read are raw:
 * normalise them in the repository with `db.differences` (fromDbDate, fromDbBool, fromDbInt); write dates
 * with `toDbDate` and booleans with `toDbBool`.
 */

/** An auto-increment id: optional on insert. */
export type Id = Generated<number>
/** A NOT NULL timestamp: Date from pg/mysql2, ISO text from SQLite. */
export type Timestamp = ColumnType<Date | string, Date | string, Date | string>
/** A nullable timestamp. */
export type NullableTimestamp = ColumnType<
  Date | string | null,
  Date | string | null | undefined,
  Date | string | null
>
/** A NOT NULL boolean with a default: read as boolean (PG) or 0/1 (SQLite, MySQL), written as 0/1. */
export type Bool = ColumnType<boolean | number, number | undefined, number>
/** A nullable boolean. */
export type NullableBool = ColumnType<boolean | number | null, number | null | undefined, number | null>
/** A NOT NULL integer with a default. */
export type DefaultedInt = Generated<number>

/** created_at / updated_at, on every table. */
export interface Timestamps {
  created_at: NullableTimestamp
  updated_at: NullableTimestamp
}

/** Nova's soft delete: `deleted` is 0 while live and the row's id once deleted; `deleted_at` says when. */
export interface SoftDelete extends Timestamps {
  deleted_at: NullableTimestamp
  deleted: DefaultedInt
}
