import { sql } from 'kysely'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import { newId } from './ids.js'
import { insertUnique, type IdentityDb } from './identity-db.js'

export interface Group {
  readonly id: string
  readonly name: string
  readonly domainId: string
  readonly description: string
}

/** Groups and their members. */
export function createGroupStore(idb: IdentityDb) {
  const { k, d } = idb
  const toGroup = (r: Record<string, unknown>): Group => ({
    id: String(r.id),
    name: String(r.name),
    domainId: String(r.domain_id),
    description: (r.description as string | null) ?? '',
  })
  return {
    async create(fields: { name: string; domainId: string; description?: string }): Promise<Group> {
      const id = newId()
      await insertUnique(
        idb,
        'group',
        `Duplicate entry found with name ${fields.name} at domain ID ${fields.domainId}`,
        (x) =>
          x
            .insertInto('identity_groups')
            .values({
              id,
              name: fields.name,
              domain_id: fields.domainId,
              description: fields.description ?? '',
              created_at: d.toDbDate(new Date()),
            })
            .execute(),
      )
      return await this.get(id)
    },
    async get(id: string): Promise<Group> {
      const row = await k.selectFrom('identity_groups').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'group', id })
      return toGroup(row)
    },
    async list(filter: { name?: string; domainId?: string; ids?: readonly string[] } = {}): Promise<Group[]> {
      let q = k.selectFrom('identity_groups').selectAll().orderBy('name')
      if (filter.name !== undefined) q = q.where('name', '=', filter.name)
      if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId)
      if (filter.ids !== undefined)
        q = filter.ids.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('id', 'in', filter.ids)
      return (await q.execute()).map(toGroup)
    },
    async update(id: string, changes: { name?: string; description?: string }): Promise<Group> {
      const current = await this.get(id)
      const set: Record<string, unknown> = { updated_at: d.toDbDate(new Date()) }
      if (changes.name !== undefined) set.name = changes.name
      if (changes.description !== undefined) set.description = changes.description
      await insertUnique(
        idb,
        'group',
        `Duplicate entry found with name ${changes.name ?? current.name} at domain ID ${current.domainId}`,
        (x) => x.updateTable('identity_groups').set(set).where('id', '=', id).execute(),
      )
      return await this.get(id)
    },
    async delete(id: string): Promise<void> {
      await this.get(id)
      await k.deleteFrom('identity_group_members').where('group_id', '=', id).execute()
      await k.deleteFrom('identity_assignments').where('actor_id', '=', id).execute()
      await k.deleteFrom('identity_groups').where('id', '=', id).execute()
    },
    async addMember(groupId: string, userId: string): Promise<void> {
      if (!(await this.hasMember(groupId, userId)))
        await k.insertInto('identity_group_members').values({ group_id: groupId, user_id: userId }).execute()
    },
    async hasMember(groupId: string, userId: string): Promise<boolean> {
      return (
        (await k
          .selectFrom('identity_group_members')
          .select('user_id')
          .where('group_id', '=', groupId)
          .where('user_id', '=', userId)
          .executeTakeFirst()) !== undefined
      )
    },
    async removeMember(groupId: string, userId: string): Promise<boolean> {
      const result = await k
        .deleteFrom('identity_group_members')
        .where('group_id', '=', groupId)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async members(groupId: string): Promise<string[]> {
      return (
        await k
          .selectFrom('identity_group_members')
          .select('user_id')
          .where('group_id', '=', groupId)
          .execute()
      ).map((r) => String(r.user_id))
    },
  }
}

export type GroupStore = ReturnType<typeof createGroupStore>
