import { sql } from 'kysely'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import { newId, NULL_DOMAIN } from './ids.js'
import { insertUnique, type IdentityDb } from './identity-db.js'

export interface Role {
  readonly id: string
  readonly name: string
  readonly domainId: string | undefined
  readonly description: string
}

export type AssignmentType =
  'UserProject' | 'UserDomain' | 'UserSystem' | 'GroupProject' | 'GroupDomain' | 'GroupSystem'

export interface Assignment {
  readonly type: AssignmentType
  readonly actorId: string
  readonly targetId: string
  readonly roleId: string
  readonly inherited: boolean
}

/** The target id of system-scope assignments (Keystone's `system`). */
export const SYSTEM_TARGET = 'system'

/** Roles, role implications (admin ⇒ member ⇒ reader) and role assignments. */
export function createRoleStore(idb: IdentityDb) {
  const { k, d } = idb
  const toRole = (r: Record<string, unknown>): Role => ({
    id: String(r.id),
    name: String(r.name),
    domainId: r.domain_id === NULL_DOMAIN ? undefined : String(r.domain_id),
    description: (r.description as string | null) ?? '',
  })
  const toAssignment = (r: Record<string, unknown>): Assignment => ({
    type: r.type as AssignmentType,
    actorId: String(r.actor_id),
    targetId: String(r.target_id),
    roleId: String(r.role_id),
    inherited: d.fromDbBool(r.inherited),
  })

  return {
    async create(fields: { name: string; domainId?: string; description?: string }): Promise<Role> {
      const id = newId()
      await insertUnique(idb, 'role', `Duplicate entry found with name ${fields.name}`, (x) =>
        x
          .insertInto('identity_roles')
          .values({
            id,
            name: fields.name,
            domain_id: fields.domainId ?? NULL_DOMAIN,
            description: fields.description ?? '',
            created_at: d.toDbDate(new Date()),
          })
          .execute(),
      )
      return await this.get(id)
    },
    async get(id: string): Promise<Role> {
      const row = await k.selectFrom('identity_roles').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'role', id })
      return toRole(row)
    },
    async findByName(name: string): Promise<Role | undefined> {
      const row = await k
        .selectFrom('identity_roles')
        .selectAll()
        .where('name', '=', name)
        .where('domain_id', '=', NULL_DOMAIN)
        .executeTakeFirst()
      return row === undefined ? undefined : toRole(row)
    },
    async list(filter: { name?: string; ids?: readonly string[] } = {}): Promise<Role[]> {
      let q = k.selectFrom('identity_roles').selectAll().orderBy('name')
      if (filter.name !== undefined) q = q.where('name', '=', filter.name)
      if (filter.ids !== undefined)
        q = filter.ids.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('id', 'in', filter.ids)
      return (await q.execute()).map(toRole)
    },
    async delete(id: string): Promise<void> {
      await this.get(id)
      await k.deleteFrom('identity_assignments').where('role_id', '=', id).execute()
      await k
        .deleteFrom('identity_implied_roles')
        .where((eb) => eb.or([eb('prior_role_id', '=', id), eb('implied_role_id', '=', id)]))
        .execute()
      await k.deleteFrom('identity_roles').where('id', '=', id).execute()
    },

    async addImplied(priorId: string, impliedId: string): Promise<void> {
      const exists = await k
        .selectFrom('identity_implied_roles')
        .select('prior_role_id')
        .where('prior_role_id', '=', priorId)
        .where('implied_role_id', '=', impliedId)
        .executeTakeFirst()
      if (exists === undefined)
        await k
          .insertInto('identity_implied_roles')
          .values({ prior_role_id: priorId, implied_role_id: impliedId })
          .execute()
    },
    async removeImplied(priorId: string, impliedId: string): Promise<boolean> {
      const result = await k
        .deleteFrom('identity_implied_roles')
        .where('prior_role_id', '=', priorId)
        .where('implied_role_id', '=', impliedId)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async update(id: string, changes: { name?: string; description?: string }): Promise<Role> {
      await this.get(id)
      const set: Record<string, unknown> = { updated_at: d.toDbDate(new Date()) }
      if (changes.name !== undefined) set.name = changes.name
      if (changes.description !== undefined) set.description = changes.description
      await insertUnique(idb, 'role', `Duplicate entry found with name ${changes.name ?? ''}`, (x) =>
        x.updateTable('identity_roles').set(set).where('id', '=', id).execute(),
      )
      return await this.get(id)
    },
    async listImplied(): Promise<{ priorId: string; impliedId: string }[]> {
      const rows = await k.selectFrom('identity_implied_roles').selectAll().execute()
      return rows.map((r) => ({ priorId: String(r.prior_role_id), impliedId: String(r.implied_role_id) }))
    },
    /** The roles plus every role they imply, transitively (admin ⇒ member ⇒ reader). */
    async expand(roleIds: readonly string[]): Promise<Role[]> {
      const implied = await this.listImplied()
      const all = new Set(roleIds)
      for (let changed = true; changed;) {
        changed = false
        for (const rule of implied) {
          if (all.has(rule.priorId) && !all.has(rule.impliedId)) {
            all.add(rule.impliedId)
            changed = true
          }
        }
      }
      return await this.list({ ids: [...all] })
    },

    async grant(a: Omit<Assignment, 'inherited'> & { inherited?: boolean }): Promise<void> {
      const exists = await this.hasAssignment(a)
      if (!exists) {
        await k
          .insertInto('identity_assignments')
          .values({
            type: a.type,
            actor_id: a.actorId,
            target_id: a.targetId,
            role_id: a.roleId,
            inherited: d.toDbBool(a.inherited ?? false),
          })
          .execute()
      }
    },
    async hasAssignment(a: Omit<Assignment, 'inherited'> & { inherited?: boolean }): Promise<boolean> {
      const row = await k
        .selectFrom('identity_assignments')
        .select('role_id')
        .where('type', '=', a.type)
        .where('actor_id', '=', a.actorId)
        .where('target_id', '=', a.targetId)
        .where('role_id', '=', a.roleId)
        .where('inherited', '=', d.toDbBool(a.inherited ?? false))
        .executeTakeFirst()
      return row !== undefined
    },
    /** Removes one assignment; false when there was none. */
    async revoke(a: Omit<Assignment, 'inherited'> & { inherited?: boolean }): Promise<boolean> {
      const result = await k
        .deleteFrom('identity_assignments')
        .where('type', '=', a.type)
        .where('actor_id', '=', a.actorId)
        .where('target_id', '=', a.targetId)
        .where('role_id', '=', a.roleId)
        .where('inherited', '=', d.toDbBool(a.inherited ?? false))
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async listAssignments(
      filter: {
        actorIds?: readonly string[]
        targetId?: string
        roleId?: string
        types?: readonly AssignmentType[]
      } = {},
    ): Promise<Assignment[]> {
      let q = k.selectFrom('identity_assignments').selectAll()
      if (filter.actorIds !== undefined)
        q =
          filter.actorIds.length === 0
            ? q.where(sql<boolean>`1 = 0`)
            : q.where('actor_id', 'in', filter.actorIds)
      if (filter.targetId !== undefined) q = q.where('target_id', '=', filter.targetId)
      if (filter.roleId !== undefined) q = q.where('role_id', '=', filter.roleId)
      if (filter.types !== undefined) q = q.where('type', 'in', filter.types)
      return (await q.execute()).map(toAssignment)
    },
    async deleteAssignmentsOf(field: 'actor_id' | 'target_id', id: string): Promise<void> {
      await k.deleteFrom('identity_assignments').where(field, '=', id).execute()
    },
    async groupsOf(userId: string): Promise<string[]> {
      const rows = await k
        .selectFrom('identity_group_members')
        .select('group_id')
        .where('user_id', '=', userId)
        .execute()
      return rows.map((r) => String(r.group_id))
    },
  }
}

export type RoleStore = ReturnType<typeof createRoleStore>
