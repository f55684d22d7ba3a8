import type { UntypedKysely } from '../untyped.js'
import { sql, type CreateTableBuilder } from 'kysely'
import type { ColumnKind, SqlDifferences } from '../sql-differences.js'

export interface ColumnSpec {
  readonly name: string
  readonly kind: ColumnKind
  readonly notNull?: boolean
  /** A literal default (number, or string as SQL text). */
  readonly default?: number | string
}

export interface TableSpec {
  readonly name: string
  readonly columns: readonly ColumnSpec[]
  readonly unique?: readonly (readonly string[])[]
  readonly indexes?: readonly (readonly string[])[]
  readonly foreignKeys?: readonly {
    readonly columns: readonly string[]
    readonly references: string
    readonly on: readonly string[]
  }[]
  /** Nova's soft delete: adds created_at, updated_at, deleted_at, deleted and a `shadow_<name>` twin. */
  readonly softDelete: boolean
  /** A primary key over these columns, for tables without an `id` column. */
  readonly primaryKey?: readonly string[]
}

const TIMESTAMPS: readonly ColumnSpec[] = [
  { name: 'created_at', kind: 'datetime' },
  { name: 'updated_at', kind: 'datetime' },
]
const SOFT_DELETE: readonly ColumnSpec[] = [
  { name: 'deleted_at', kind: 'datetime' },
  { name: 'deleted', kind: 'int', notNull: true, default: 0 },
]

/**
 * Creates a table (and, for soft-deleting tables, its `shadow_` twin with the same columns, no constraints)
 * from a spec, in the SQL types of the engine. Migrations call it with specs written into the migration
 * itself, so that a migration never changes once released.
 */
export async function createTable(db: UntypedKysely, d: SqlDifferences, spec: TableSpec): Promise<void> {
  const columns = [...spec.columns, ...TIMESTAMPS, ...(spec.softDelete ? SOFT_DELETE : [])]
  await createOne(db, d, spec.name, columns, spec, false)
  if (spec.softDelete)
    await createOne(
      db,
      d,
      `shadow_${spec.name}`,
      columns,
      { name: spec.name, columns, softDelete: false },
      true,
    )
}
async function createOne(
  db: UntypedKysely,
  d: SqlDifferences,
  name: string,
  columns: readonly ColumnSpec[],
  spec: TableSpec,
  shadow: boolean,
) {
  let builder = db.schema.createTable(name) as unknown as CreateTableBuilder<string, string>
  for (const c of columns) {
    builder = builder.addColumn(c.name, sql.raw(d.sqlType(c.kind, shadow)), (col) => {
      let out = col
      if (c.kind === 'id') out = d.primaryKeyColumn(out, shadow)
      if (c.notNull === true) out = out.notNull()
      if (c.default !== undefined) {
        const literal = typeof c.default === 'number' ? d.defaultLiteral(c.kind, c.default) : c.default
        out = out.defaultTo(typeof c.default === 'number' ? sql.raw(literal) : literal)
      }
      return out
    })
  }
  if (spec.primaryKey !== undefined)
    builder = builder.addPrimaryKeyConstraint(`pk_${name}`, [...spec.primaryKey])
  if (!shadow) {
    for (const [i, cols] of (spec.unique ?? []).entries())
      builder = builder.addUniqueConstraint(`uniq_${name}_${i}`, [...cols])
    for (const [i, fk] of (spec.foreignKeys ?? []).entries()) {
      builder = builder.addForeignKeyConstraint(`fk_${name}_${i}`, [...fk.columns], fk.references, [...fk.on])
    }
  }
  if (d.tableOptions !== undefined) builder = builder.modifyEnd(sql.raw(d.tableOptions))
  await builder.execute()
  if (!shadow) {
    for (const cols of spec.indexes ?? []) {
      await db.schema
        .createIndex(`ix_${name}_${cols.join('_')}`)
        .on(name)
        .columns([...cols])
        .execute()
    }
  }
}
