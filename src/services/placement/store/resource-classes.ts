import { conflict } from '../errors.js'
import { STANDARD_CLASS_SET, STANDARD_RESOURCE_CLASSES } from '../standard-classes.js'
import type { PlacementDb } from './placement-db.js'

export function createResourceClassStore(p: PlacementDb) {
  const d = p.db.differences
  async function custom(): Promise<string[]> {
    const rows = (await p.k.selectFrom('resource_classes').select('name').orderBy('id').execute()) as {
      name: unknown
    }[]
    return rows.map((r) => String(r.name))
  }
  async function inUse(name: string): Promise<boolean> {
    const inv = await p.k
      .selectFrom('inventories')
      .select('id')
      .where('resource_class', '=', name)
      .executeTakeFirst()
    if (inv !== undefined) return true
    const alloc = await p.k
      .selectFrom('allocations')
      .select('id')
      .where('resource_class', '=', name)
      .executeTakeFirst()
    return alloc !== undefined
  }
  return {
    async list(): Promise<string[]> {
      return [...STANDARD_RESOURCE_CLASSES, ...(await custom())]
    },
    async exists(name: string): Promise<boolean> {
      if (STANDARD_CLASS_SET.has(name)) return true
      const row = await p.k
        .selectFrom('resource_classes')
        .select('id')
        .where('name', '=', name)
        .executeTakeFirst()
      return row !== undefined
    },
    /** Which of `names` are neither standard nor created. */
    async unknown(names: Iterable<string>): Promise<string[]> {
      const candidates = [...new Set(names)].filter((n) => !STANDARD_CLASS_SET.has(n))
      if (candidates.length === 0) return []
      const rows = (await p.k
        .selectFrom('resource_classes')
        .select('name')
        .where('name', 'in', candidates)
        .execute()) as { name: unknown }[]
      const have = new Set(rows.map((r) => String(r.name)))
      return candidates.filter((n) => !have.has(n)).sort()
    },
    /** Creates a custom class; false when it already existed. */
    async create(name: string): Promise<boolean> {
      const now = p.now()
      try {
        await p.k.insertInto('resource_classes').values({ name, created_at: now, updated_at: now }).execute()
        return true
      } catch (error) {
        if (d.isUniqueViolation(error)) return false
        throw error
      }
    },
    async rename(from: string, to: string): Promise<void> {
      if (await inUse(from)) throw conflict(`Resource class ${from} is in use and cannot be renamed.`)
      try {
        await p.k
          .updateTable('resource_classes')
          .set({ name: to, updated_at: p.now() })
          .where('name', '=', from)
          .execute()
      } catch (error) {
        if (d.isUniqueViolation(error))
          throw conflict(`Resource class with name ${to} already exists.`, 'placement.duplicate_name')
        throw error
      }
    },
    /** Deletes a custom class; 409 while inventories or allocations use it; false when it did not exist. */
    async delete(name: string): Promise<boolean> {
      if (await inUse(name))
        throw conflict(`Unable to delete resource class ${name}. Class is in use in inventory.`)
      const result = await p.k.deleteFrom('resource_classes').where('name', '=', name).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
  }
}

export type ResourceClassStore = ReturnType<typeof createResourceClassStore>
