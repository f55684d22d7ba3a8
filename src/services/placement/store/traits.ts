import { sql } from 'kysely'
import type { UntypedExecutor } from '../../../db/untyped.js'
import { upsert } from '../../../db/index.js'
import { STANDARD_TRAITS } from '../standard-traits.js'
import { badRequest, conflict } from '../errors.js'
import { bumpGeneration, type PlacementDb } from './placement-db.js'

export function createTraitStore(p: PlacementDb) {
  const d = p.db.differences

  /** Trait ids by name for the names that exist. */
  async function idsOf(
    names: readonly string[],
    executor: UntypedExecutor = p.k,
  ): Promise<Map<string, number>> {
    if (names.length === 0) return new Map()
    const rows = (await executor
      .selectFrom('traits')
      .select(['id', 'name'])
      .where('name', 'in', [...new Set(names)])
      .execute()) as { id: unknown; name: unknown }[]
    return new Map(rows.map((r) => [String(r.name), Number(r.id)]))
  }

  /** Ids of `names`; 400 naming those that do not exist. */
  async function requireIds(names: readonly string[], executor: UntypedExecutor = p.k) {
    const ids = await idsOf(names, executor)
    const missing = [...new Set(names)].filter((n) => !ids.has(n)).sort()
    if (missing.length > 0) throw badRequest(`No such trait(s): ${missing.join(', ')}`)
    return ids
  }

  async function ofProvider(providerId: number, executor: UntypedExecutor = p.k): Promise<string[]> {
    const rows = (await executor
      .selectFrom('resource_provider_traits as rpt')
      .innerJoin('traits as t', 't.id', 'rpt.trait_id')
      .select('t.name as name')
      .where('rpt.resource_provider_id', '=', providerId)
      .orderBy('t.name')
      .execute()) as { name: unknown }[]
    return rows.map((r) => String(r.name))
  }

  return {
    idsOf,
    requireIds,
    ofProvider,

    /** Writes the standard traits that are missing (at start; idempotent). */
    async syncStandard(): Promise<void> {
      const have = await idsOf(STANDARD_TRAITS)
      const now = p.now()
      for (const name of STANDARD_TRAITS) {
        if (have.has(name)) continue
        await upsert(p.k, d, {
          table: 'traits',
          values: { name, created_at: now, updated_at: now },
          conflict: ['name'],
          update: [],
        })
      }
    },

    async list(filter: {
      startsWith?: string
      in?: readonly string[]
      associated?: boolean
    }): Promise<string[]> {
      let q = p.k.selectFrom('traits as t').select('t.name as name')
      if (filter.startsWith !== undefined)
        q = q.where(sql<boolean>`substr(t.name, 1, ${filter.startsWith.length}) = ${filter.startsWith}`)
      if (filter.in !== undefined) q = q.where('t.name', 'in', filter.in.length === 0 ? [''] : [...filter.in])
      if (filter.associated !== undefined) {
        const sub = p.k.selectFrom('resource_provider_traits').select('trait_id')
        q = q.where('t.id', filter.associated ? 'in' : 'not in', sub)
      }
      const rows = (await q.orderBy('t.name').execute()) as { name: unknown }[]
      return rows.map((r) => String(r.name))
    },

    async exists(name: string): Promise<boolean> {
      return (await idsOf([name])).has(name)
    },

    /** Creates a custom trait; false when it already existed. */
    async create(name: string): Promise<boolean> {
      const now = p.now()
      try {
        await p.k.insertInto('traits').values({ name, created_at: now, updated_at: now }).execute()
        return true
      } catch (error) {
        if (d.isUniqueViolation(error)) return false
        throw error
      }
    },

    /** Deletes a custom trait; 409 while a provider has it. False when it did not exist. */
    async delete(name: string): Promise<boolean> {
      return p.write(async (trx) => {
        const id = (await idsOf([name], trx)).get(name)
        if (id === undefined) return false
        const used = await trx
          .selectFrom('resource_provider_traits')
          .select('trait_id')
          .where('trait_id', '=', id)
          .executeTakeFirst()
        if (used !== undefined) throw conflict(`The trait ${name} is in use by a resource provider.`)
        await trx.deleteFrom('traits').where('id', '=', id).execute()
        return true
      })
    },

    /** Replaces the provider's traits, generation-guarded; returns the new generation. */
    async setForProvider(
      provider: { id: number },
      generation: number | undefined,
      names: readonly string[],
      executor?: UntypedExecutor,
    ): Promise<number> {
      const run = async (trx: UntypedExecutor) => {
        const ids = await requireIds(names, trx)
        const next = await bumpGeneration(trx, provider.id, generation)
        await trx
          .deleteFrom('resource_provider_traits')
          .where('resource_provider_id', '=', provider.id)
          .execute()
        if (ids.size > 0)
          await trx
            .insertInto('resource_provider_traits')
            .values([...ids.values()].map((trait_id) => ({ resource_provider_id: provider.id, trait_id })))
            .execute()
        return next
      }
      return executor === undefined ? p.write(run) : run(executor)
    },
  }
}

export type TraitStore = ReturnType<typeof createTraitStore>
