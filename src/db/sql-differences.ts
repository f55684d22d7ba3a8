import type { ColumnDefinitionBuilder } from 'kysely'
import type { Engine } from './url.js'

/** Column kinds the schema is written in; each engine maps them to its own SQL types here and only here. */
export type ColumnKind =
  'id' | 'int' | 'bigint' | 'bool' | 'float' | 'datetime' | 'text' | 'longtext' | `string(${number})`

/**
 * Everything that differs between SQLite, PostgreSQL and MySQL/MariaDB, in one place: column types, whether
 * `RETURNING` and `FOR UPDATE` exist, how upserts are spelled, how values are bound and read back, which
 * errors mean what.
 *
 * Normalisation contract (what repositories return on every engine): timestamps are JS `Date` in UTC (never
 * strings; SQLite stores ISO-8601 text, PG `timestamp(6)`, MySQL `datetime(6)`, all UTC, microseconds kept
 * to the millisecond); booleans are JS booleans (bound as 0/1); integer columns, counts and sums are JS
 * numbers (the drivers are configured for it: PG int8/numeric and MySQL DECIMAL come back as numbers while
 * they are safe integers).
 */
export interface SqlDifferences {
  readonly engine: Engine
  /** INSERT/UPDATE … RETURNING (SQLite ≥ 3.35 and PostgreSQL; not MySQL/MariaDB). */
  readonly supportsReturning: boolean
  /** SELECT … FOR UPDATE (not SQLite, whose single writer serialises transactions anyway). */
  readonly supportsForUpdate: boolean
  /** How an insert-or-update is spelled: `ON CONFLICT … DO UPDATE` or `ON DUPLICATE KEY UPDATE`. */
  readonly upsertStyle: 'on-conflict' | 'on-duplicate-key'
  /** How a new row's generated id is learned: `RETURNING id` or the driver's insertId. */
  readonly insertedIdFrom: 'returning' | 'insert-id'
  /** Text after `CREATE TABLE …(…)`: MySQL tables are InnoDB in utf8mb4 whatever the server's default. */
  readonly tableOptions: string | undefined
  /** SQL type of a column kind; `shadow` ids are plain integers (archived rows keep their ids). */
  sqlType(kind: ColumnKind, shadow?: boolean): string
  /**
   * The auto-increment primary key column (`integer primary key autoincrement`, `serial primary key`,
   * `integer primary key auto_increment`); a shadow table's id is a plain primary key.
   */
  primaryKeyColumn(col: ColumnDefinitionBuilder, shadow?: boolean): ColumnDefinitionBuilder
  /** The SQL text of a column default (PostgreSQL booleans take `false`/`true`, not 0/1). */
  defaultLiteral(kind: ColumnKind, value: number): string
  /** A Date as the driver binds it: ISO text on SQLite, Date elsewhere. */
  toDbDate(date: Date): Date | string
  /** A timestamp as any driver returns it, as a Date (UTC); undefined for NULL. */
  fromDbDate(value: unknown): Date | undefined
  /** Booleans are bound as 0/1, which every engine accepts (better-sqlite3 refuses JS booleans). */
  toDbBool(value: boolean): number
  /** 1/0, true/false, '1'/'t' as any driver returns them, as a boolean (NULL → false). */
  fromDbBool(value: unknown): boolean
  /** An integer as any driver returns it (number, numeric string, bigint), as a number; NULL → undefined. */
  fromDbInt(value: unknown): number | undefined
  /** True for a unique-constraint (or primary key) violation. */
  isUniqueViolation(error: unknown): boolean
  /** True for a deadlock or serialisation failure that a retry of the whole transaction may get past. */
  isRetryableConflict(error: unknown): boolean
}

function errorCode(error: unknown): string | number | undefined {
  const e = error as { code?: string | number; errno?: number } | undefined
  return e?.code ?? e?.errno
}

function fromDbDate(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined
  if (value instanceof Date) return value
  if (typeof value === 'string') {
    // SQLite text (ISO with Z) or a MySQL/PG string without zone: both are UTC.
    return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`)
  }
  return new Date(Number(value))
}

function fromDbInt(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined
  return typeof value === 'number' ? value : Number(value as string | bigint)
}

const common = {
  toDbBool: (value: boolean): number => (value ? 1 : 0),
  fromDbBool: (value: unknown): boolean =>
    value === true || value === 1 || value === '1' || value === 't' || value === 1n,
  fromDbDate,
  fromDbInt,
  defaultLiteral: (_kind: ColumnKind, value: number): string => String(value),
}

/** Maps the portable kinds; `overrides` gives an engine's own spelling of some of them. */
function typeMapper(
  overrides: Partial<
    Record<'id' | 'shadowId' | 'bool' | 'float' | 'datetime' | 'longtext' | 'string', string>
  >,
) {
  return (kind: ColumnKind, shadow = false): string => {
    if (kind === 'id') return shadow ? (overrides.shadowId ?? 'integer') : (overrides.id ?? 'integer')
    if (kind === 'bool' || kind === 'float' || kind === 'datetime' || kind === 'longtext')
      return overrides[kind] ?? kind
    if (kind.startsWith('string')) return overrides.string ?? kind.replace('string', 'varchar')
    return kind
  }
}

/** The differences of one engine. Pure: no connection needed. */
export function sqlDifferencesFor(engine: Engine): SqlDifferences {
  switch (engine) {
    case 'sqlite':
      return {
        ...common,
        engine,
        supportsReturning: true,
        supportsForUpdate: false,
        upsertStyle: 'on-conflict',
        insertedIdFrom: 'returning',
        tableOptions: undefined,
        sqlType: typeMapper({
          bool: 'integer',
          float: 'real',
          datetime: 'text',
          longtext: 'text',
          string: 'text',
        }),
        // AUTOINCREMENT: ids are never reused, so an archived row's id never comes back to a live row.
        primaryKeyColumn: (col, shadow = false) =>
          shadow ? col.primaryKey() : col.primaryKey().autoIncrement(),
        toDbDate: (date) => date.toISOString(),
        isUniqueViolation: (e) =>
          String(errorCode(e)).startsWith('SQLITE_CONSTRAINT_UNIQUE') ||
          String(errorCode(e)) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT (a reader's snapshot went stale before it could write), …
        isRetryableConflict: (e) => String(errorCode(e)).startsWith('SQLITE_BUSY'),
      }
    case 'postgresql':
      return {
        ...common,
        engine,
        supportsReturning: true,
        supportsForUpdate: true,
        upsertStyle: 'on-conflict',
        insertedIdFrom: 'returning',
        tableOptions: undefined,
        sqlType: typeMapper({
          id: 'serial',
          bool: 'boolean',
          float: 'double precision',
          datetime: 'timestamp(6)',
          longtext: 'text',
        }),
        primaryKeyColumn: (col) => col.primaryKey(),
        defaultLiteral: (kind, value) => (kind === 'bool' ? (value === 0 ? 'false' : 'true') : String(value)),
        toDbDate: (date) => date,
        isUniqueViolation: (e) => errorCode(e) === '23505',
        isRetryableConflict: (e) => errorCode(e) === '40001' || errorCode(e) === '40P01',
      }
    case 'mysql':
      return {
        ...common,
        engine,
        supportsReturning: false,
        supportsForUpdate: true,
        upsertStyle: 'on-duplicate-key',
        insertedIdFrom: 'insert-id',
        tableOptions: 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
        sqlType: typeMapper({
          bool: 'boolean',
          float: 'double',
          datetime: 'datetime(6)',
          longtext: 'mediumtext',
        }),
        primaryKeyColumn: (col, shadow = false) =>
          shadow ? col.primaryKey() : col.primaryKey().autoIncrement(),
        toDbDate: (date) => date,
        isUniqueViolation: (e) => errorCode(e) === 'ER_DUP_ENTRY' || errorCode(e) === 1062,
        isRetryableConflict: (e) =>
          ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 1213, 1205].includes(errorCode(e) as never),
      }
  }
}
