import type { Engine } from './url.js'

/** Column kinds the schema is written in; each engine maps them to its own SQL types here and only here. */
export type ColumnKind =
  'id' | 'int' | 'bigint' | 'bool' | 'float' | 'datetime' | 'text' | 'longtext' | `string(${number})`

/**
 * Everything that differs between SQLite, PostgreSQL and MySQL/MariaDB, in one place: column types, whether
 * `RETURNING` and `FOR UPDATE` exist, how values are bound and read back, which errors mean what.
 */
export interface SqlDifferences {
  readonly engine: Engine
  /** INSERT … RETURNING (SQLite ≥ 3.35 and PostgreSQL; not MySQL). */
  readonly supportsReturning: boolean
  /** SELECT … FOR UPDATE (not SQLite, whose single writer serialises transactions anyway). */
  readonly supportsForUpdate: boolean
  /** SQL type of a column kind; `shadow` ids are plain integers (archived rows keep their ids). */
  sqlType(kind: ColumnKind, shadow?: boolean): string
  /** A Date as the driver binds it: ISO text on SQLite, Date elsewhere. */
  toDbDate(date: Date): Date | string
  /** A timestamp as any driver returns it, as a Date (UTC). */
  fromDbDate(value: unknown): Date | undefined
  /** Booleans are bound as 0/1, which every engine accepts (better-sqlite3 refuses JS booleans). */
  toDbBool(value: boolean): number
  fromDbBool(value: unknown): boolean
  /** True for a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean
  /** True for a deadlock or serialisation failure that a retry of the whole transaction may get past. */
  isRetryableConflict(error: unknown): boolean
}

const common = {
  toDbBool: (value: boolean): number => (value ? 1 : 0),
  fromDbBool: (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 't',
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

export function sqlDifferencesFor(engine: Engine): SqlDifferences {
  switch (engine) {
    case 'sqlite':
      return {
        ...common,
        engine,
        supportsReturning: true,
        supportsForUpdate: false,
        sqlType: (kind, shadow = false) =>
          kind === 'id'
            ? shadow
              ? 'integer'
              : 'integer'
            : kind === 'bool'
              ? 'integer'
              : kind === 'float'
                ? 'real'
                : kind === 'datetime' || kind === 'longtext' || kind.startsWith('string')
                  ? 'text'
                  : kind,
        toDbDate: (date) => date.toISOString(),
        fromDbDate,
        isUniqueViolation: (e) =>
          String(errorCode(e)).startsWith('SQLITE_CONSTRAINT_UNIQUE') ||
          String(errorCode(e)) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
        isRetryableConflict: (e) => errorCode(e) === 'SQLITE_BUSY',
      }
    case 'postgresql':
      return {
        ...common,
        engine,
        supportsReturning: true,
        supportsForUpdate: true,
        sqlType: (kind, shadow = false) =>
          kind === 'id'
            ? shadow
              ? 'integer'
              : 'serial'
            : kind === 'bool'
              ? 'boolean'
              : kind === 'float'
                ? 'double precision'
                : kind === 'datetime'
                  ? 'timestamp(6)'
                  : kind === 'longtext'
                    ? 'text'
                    : kind.startsWith('string')
                      ? kind.replace('string', 'varchar')
                      : kind,
        toDbDate: (date) => date,
        fromDbDate,
        isUniqueViolation: (e) => errorCode(e) === '23505',
        isRetryableConflict: (e) => errorCode(e) === '40001' || errorCode(e) === '40P01',
      }
    case 'mysql':
      return {
        ...common,
        engine,
        supportsReturning: false,
        supportsForUpdate: true,
        sqlType: (kind) =>
          kind === 'id'
            ? 'integer'
            : kind === 'bool'
              ? 'boolean'
              : kind === 'float'
                ? 'double'
                : kind === 'datetime'
                  ? 'datetime(6)'
                  : kind === 'longtext'
                    ? 'mediumtext'
                    : kind.startsWith('string')
                      ? kind.replace('string', 'varchar')
                      : kind,
        toDbDate: (date) => date,
        fromDbDate,
        isUniqueViolation: (e) => errorCode(e) === 'ER_DUP_ENTRY' || errorCode(e) === 1062,
        isRetryableConflict: (e) =>
          ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 1213, 1205].includes(errorCode(e) as never),
      }
  }
}
