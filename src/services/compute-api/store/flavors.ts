import type { Kysely } from 'kysely'
import {
  FlavorAccessExists,
  FlavorAccessNotFound,
  FlavorExists,
  FlavorExtraSpecsNotFound,
  FlavorIdExists,
  FlavorNotFound,
} from '../../../common/errors/index.js'
import type { ApiSchema, Database } from '../../../db/index.js'
import { insertReturningId, upsert, withTransaction } from '../../../db/index.js'

/** A flavor with its extra specs and the projects it is shared with (Nova's Flavor object). */
export interface Flavor {
  readonly id: number
  readonly flavorid: string
  readonly name: string
  readonly memoryMb: number
  readonly vcpus: number
  readonly rootGb: number
  readonly ephemeralGb: number
  readonly swap: number
  readonly rxtxFactor: number
  readonly vcpuWeight: number | null
  readonly disabled: boolean
  readonly isPublic: boolean
  readonly description: string | null
  readonly createdAt: Date | undefined
  readonly updatedAt: Date | undefined
  readonly extraSpecs: Readonly<Record<string, string>>
  readonly projects: readonly string[]
}

export interface NewFlavor {
  readonly flavorid: string
  readonly name: string
  readonly memoryMb: number
  readonly vcpus: number
  readonly rootGb: number
  readonly ephemeralGb: number
  readonly swap: number
  readonly rxtxFactor: number
  readonly isPublic: boolean
  readonly description: string | null
}

/** The API database's flavors, flavor_extra_specs and flavor_projects tables. */
export class FlavorStore {
  readonly #db: Database<unknown>
  readonly #k: Kysely<ApiSchema>

  constructor(db: Database<unknown>) {
    this.#db = db
    this.#k = db.kysely as Kysely<ApiSchema>
  }

  /** Every flavor (flavors are few: Nova's API filters and pages them after reading). */
  async all(): Promise<Flavor[]> {
    const [rows, specs, projects] = await Promise.all([
      this.#k.selectFrom('flavors').selectAll().execute(),
      this.#k.selectFrom('flavor_extra_specs').select(['flavor_id', 'key', 'value']).execute(),
      this.#k.selectFrom('flavor_projects').select(['flavor_id', 'project_id']).execute(),
    ])
    const specsOf = new Map<number, Record<string, string>>()
    for (const s of specs) {
      const id = Number(s.flavor_id)
      const map = specsOf.get(id) ?? {}
      map[s.key] = s.value ?? ''
      specsOf.set(id, map)
    }
    const projectsOf = new Map<number, string[]>()
    for (const p of projects) {
      const id = Number(p.flavor_id)
      projectsOf.set(id, [...(projectsOf.get(id) ?? []), p.project_id])
    }
    return rows.map((row) =>
      this.#toFlavor(row, specsOf.get(Number(row.id)) ?? {}, projectsOf.get(Number(row.id)) ?? []),
    )
  }

  /** The flavor with this flavorid, or FlavorNotFound. */
  async get(flavorid: string): Promise<Flavor> {
    const row = await this.#k
      .selectFrom('flavors')
      .selectAll()
      .where('flavorid', '=', flavorid)
      .executeTakeFirst()
    if (row === undefined) throw new FlavorNotFound({ flavorId: flavorid })
    const id = Number(row.id)
    const [specs, projects] = await Promise.all([
      this.#k.selectFrom('flavor_extra_specs').select(['key', 'value']).where('flavor_id', '=', id).execute(),
      this.#k.selectFrom('flavor_projects').select('project_id').where('flavor_id', '=', id).execute(),
    ])
    return this.#toFlavor(
      row,
      Object.fromEntries(specs.map((s) => [s.key, s.value ?? ''])),
      projects.map((p) => p.project_id),
    )
  }

  /** Creates a flavor; FlavorExists / FlavorIdExists when the name or id is taken. */
  async create(values: NewFlavor): Promise<Flavor> {
    const d = this.#db.differences
    const now = d.toDbDate(new Date())
    try {
      await insertReturningId(this.#k, d, 'flavors', {
        flavorid: values.flavorid,
        name: values.name,
        memory_mb: values.memoryMb,
        vcpus: values.vcpus,
        root_gb: values.rootGb,
        ephemeral_gb: values.ephemeralGb,
        swap: values.swap,
        rxtx_factor: values.rxtxFactor,
        disabled: d.toDbBool(false),
        is_public: d.toDbBool(values.isPublic),
        description: values.description,
        created_at: now,
        updated_at: null,
      })
    } catch (error) {
      if (!d.isUniqueViolation(error)) throw error
      const byId = await this.#k
        .selectFrom('flavors')
        .select('id')
        .where('flavorid', '=', values.flavorid)
        .executeTakeFirst()
      if (byId !== undefined) throw new FlavorIdExists({ flavorId: values.flavorid })
      throw new FlavorExists({ name: values.name })
    }
    return this.get(values.flavorid)
  }

  async updateDescription(flavorid: string, description: string | null): Promise<Flavor> {
    const result = await this.#k
      .updateTable('flavors')
      .set({ description, updated_at: this.#db.differences.toDbDate(new Date()) })
      .where('flavorid', '=', flavorid)
      .executeTakeFirst()
    if (Number(result.numUpdatedRows) === 0) throw new FlavorNotFound({ flavorId: flavorid })
    return this.get(flavorid)
  }

  /** Deletes the flavor with its extra specs and access list; FlavorNotFound when there is none. */
  async delete(flavorid: string): Promise<void> {
    await withTransaction(this.#db, async (trx) => {
      const k = trx as unknown as Kysely<ApiSchema>
      const row = await k
        .selectFrom('flavors')
        .select('id')
        .where('flavorid', '=', flavorid)
        .executeTakeFirst()
      if (row === undefined) throw new FlavorNotFound({ flavorId: flavorid })
      const id = Number(row.id)
      await k.deleteFrom('flavor_extra_specs').where('flavor_id', '=', id).execute()
      await k.deleteFrom('flavor_projects').where('flavor_id', '=', id).execute()
      await k.deleteFrom('flavors').where('id', '=', id).execute()
    })
  }

  /** Adds or overwrites extra specs. */
  async setExtraSpecs(flavor: Flavor, specs: Readonly<Record<string, string>>): Promise<void> {
    const d = this.#db.differences
    const now = d.toDbDate(new Date())
    await withTransaction(this.#db, async (trx) => {
      for (const [key, value] of Object.entries(specs))
        await upsert(trx, d, {
          table: 'flavor_extra_specs',
          values: { flavor_id: flavor.id, key, value, created_at: now, updated_at: now },
          conflict: ['flavor_id', 'key'],
          update: ['value', 'updated_at'],
        })
    })
  }

  async deleteExtraSpec(flavor: Flavor, key: string): Promise<void> {
    const result = await this.#k
      .deleteFrom('flavor_extra_specs')
      .where('flavor_id', '=', flavor.id)
      .where('key', '=', key)
      .executeTakeFirst()
    if (Number(result.numDeletedRows) === 0)
      throw new FlavorExtraSpecsNotFound({ flavorId: flavor.flavorid, key })
  }

  async addAccess(flavor: Flavor, projectId: string): Promise<void> {
    const d = this.#db.differences
    try {
      await insertReturningId(this.#k, d, 'flavor_projects', {
        flavor_id: flavor.id,
        project_id: projectId,
        created_at: d.toDbDate(new Date()),
      })
    } catch (error) {
      if (d.isUniqueViolation(error)) throw new FlavorAccessExists({ flavorId: flavor.flavorid, projectId })
      throw error
    }
  }

  async removeAccess(flavor: Flavor, projectId: string): Promise<void> {
    const result = await this.#k
      .deleteFrom('flavor_projects')
      .where('flavor_id', '=', flavor.id)
      .where('project_id', '=', projectId)
      .executeTakeFirst()
    if (Number(result.numDeletedRows) === 0)
      throw new FlavorAccessNotFound({ flavorId: flavor.flavorid, projectId })
  }

  #toFlavor(row: Record<string, unknown>, extraSpecs: Record<string, string>, projects: string[]): Flavor {
    const d = this.#db.differences
    return {
      id: Number(row.id),
      flavorid: String(row.flavorid),
      name: String(row.name),
      memoryMb: d.fromDbInt(row.memory_mb) ?? 0,
      vcpus: d.fromDbInt(row.vcpus) ?? 0,
      rootGb: d.fromDbInt(row.root_gb) ?? 0,
      ephemeralGb: d.fromDbInt(row.ephemeral_gb) ?? 0,
      swap: d.fromDbInt(row.swap) ?? 0,
      rxtxFactor: row.rxtx_factor === null || row.rxtx_factor === undefined ? 1 : Number(row.rxtx_factor),
      vcpuWeight: d.fromDbInt(row.vcpu_weight) ?? null,
      disabled: d.fromDbBool(row.disabled),
      isPublic: d.fromDbBool(row.is_public),
      description: (row.description as string | null | undefined) ?? null,
      createdAt: d.fromDbDate(row.created_at),
      updatedAt: d.fromDbDate(row.updated_at),
      extraSpecs,
      projects,
    }
  }
}
