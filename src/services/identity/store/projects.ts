import { sql } from 'kysely'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import { newId } from './ids.js'
import { insertUnique, type IdentityDb } from './identity-db.js'

export interface Domain {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly enabled: boolean
}

export interface Project {
  readonly id: string
  readonly name: string
  readonly domainId: string
  readonly parentId: string | undefined
  readonly description: string
  readonly enabled: boolean
  readonly tags: readonly string[]
}

export interface ProjectFilter {
  readonly name?: string
  readonly domainId?: string
  readonly parentId?: string
  readonly enabled?: boolean
  readonly ids?: readonly string[]
}

/** Domains and projects (Keystone's `project` table, with domains kept apart). */
export function createProjectStore(idb: IdentityDb) {
  const { k, d } = idb
  const toDomain = (r: Record<string, unknown>): Domain => ({
    id: String(r.id),
    name: String(r.name),
    description: (r.description as string | null) ?? '',
    enabled: d.fromDbBool(r.enabled),
  })
  const toProject = (r: Record<string, unknown>): Project => ({
    id: String(r.id),
    name: String(r.name),
    domainId: String(r.domain_id),
    parentId: (r.parent_id as string | null) ?? undefined,
    description: (r.description as string | null) ?? '',
    enabled: d.fromDbBool(r.enabled),
    tags: r.tags === null || r.tags === undefined ? [] : (JSON.parse(String(r.tags)) as string[]),
  })

  return {
    async createDomain(fields: {
      id?: string
      name: string
      description?: string
      enabled?: boolean
    }): Promise<Domain> {
      const id = fields.id ?? newId()
      await insertUnique(idb, 'domain', `Duplicate entry found with name ${fields.name}`, (x) =>
        x
          .insertInto('identity_domains')
          .values({
            id,
            name: fields.name,
            description: fields.description ?? '',
            enabled: d.toDbBool(fields.enabled ?? true),
            created_at: d.toDbDate(new Date()),
          })
          .execute(),
      )
      return await this.getDomain(id)
    },
    async getDomain(id: string): Promise<Domain> {
      const row = await k.selectFrom('identity_domains').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'domain', id })
      return toDomain(row)
    },
    async findDomainByName(name: string): Promise<Domain | undefined> {
      const row = await k
        .selectFrom('identity_domains')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst()
      return row === undefined ? undefined : toDomain(row)
    },
    async listDomains(
      filter: { name?: string; enabled?: boolean; ids?: readonly string[] } = {},
    ): Promise<Domain[]> {
      let q = k.selectFrom('identity_domains').selectAll().orderBy('name')
      if (filter.name !== undefined) q = q.where('name', '=', filter.name)
      if (filter.enabled !== undefined) q = q.where('enabled', '=', d.toDbBool(filter.enabled))
      if (filter.ids !== undefined)
        q = filter.ids.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('id', 'in', filter.ids)
      return (await q.execute()).map(toDomain)
    },

    async updateDomain(
      id: string,
      changes: { name?: string; description?: string; enabled?: boolean },
    ): Promise<Domain> {
      await this.getDomain(id)
      const set: Record<string, unknown> = { updated_at: d.toDbDate(new Date()) }
      if (changes.name !== undefined) set.name = changes.name
      if (changes.description !== undefined) set.description = changes.description
      if (changes.enabled !== undefined) set.enabled = d.toDbBool(changes.enabled)
      await insertUnique(idb, 'domain', `Duplicate entry found with name ${changes.name ?? ''}`, (x) =>
        x.updateTable('identity_domains').set(set).where('id', '=', id).execute(),
      )
      return await this.getDomain(id)
    },
    /** Deletes a domain and everything in it (projects, users, groups and their assignments). */
    async deleteDomain(id: string): Promise<void> {
      await this.getDomain(id)
      await k.transaction().execute(async (trx) => {
        const owned = async (table: string) =>
          (await trx.selectFrom(table).select('id').where('domain_id', '=', id).execute()).map((r) =>
            String(r.id),
          )
        const ids = [
          ...(await owned('identity_projects')),
          ...(await owned('identity_users')),
          ...(await owned('identity_groups')),
          id,
        ]
        await trx
          .deleteFrom('identity_assignments')
          .where((eb) => eb.or([eb('actor_id', 'in', ids), eb('target_id', 'in', ids)]))
          .execute()
        await trx
          .deleteFrom('identity_group_members')
          .where((eb) => eb.or([eb('user_id', 'in', ids), eb('group_id', 'in', ids)]))
          .execute()
        for (const table of ['identity_projects', 'identity_users', 'identity_groups'])
          await trx.deleteFrom(table).where('domain_id', '=', id).execute()
        await trx.deleteFrom('identity_domains').where('id', '=', id).execute()
      })
    },

    async createProject(fields: {
      name: string
      domainId: string
      parentId?: string
      description?: string
      enabled?: boolean
      tags?: readonly string[]
    }): Promise<Project> {
      const id = newId()
      await insertUnique(
        idb,
        'project',
        `Duplicate entry found with name ${fields.name} at domain ID ${fields.domainId}`,
        (x) =>
          x
            .insertInto('identity_projects')
            .values({
              id,
              name: fields.name,
              domain_id: fields.domainId,
              parent_id: fields.parentId ?? null,
              description: fields.description ?? '',
              enabled: d.toDbBool(fields.enabled ?? true),
              tags: JSON.stringify(fields.tags ?? []),
              created_at: d.toDbDate(new Date()),
            })
            .execute(),
      )
      return await this.getProject(id)
    },
    async getProject(id: string): Promise<Project> {
      const row = await k.selectFrom('identity_projects').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'project', id })
      return toProject(row)
    },
    async findProjectByName(name: string, domainId: string): Promise<Project | undefined> {
      const row = await k
        .selectFrom('identity_projects')
        .selectAll()
        .where('name', '=', name)
        .where('domain_id', '=', domainId)
        .executeTakeFirst()
      return row === undefined ? undefined : toProject(row)
    },
    async listProjects(filter: ProjectFilter = {}): Promise<Project[]> {
      let q = k.selectFrom('identity_projects').selectAll().orderBy('name')
      if (filter.name !== undefined) q = q.where('name', '=', filter.name)
      if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId)
      if (filter.parentId !== undefined) q = q.where('parent_id', '=', filter.parentId)
      if (filter.enabled !== undefined) q = q.where('enabled', '=', d.toDbBool(filter.enabled))
      if (filter.ids !== undefined)
        q = filter.ids.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('id', 'in', filter.ids)
      return (await q.execute()).map(toProject)
    },
    async updateProject(
      id: string,
      changes: { name?: string; description?: string; enabled?: boolean; tags?: readonly string[] },
    ): Promise<Project> {
      const current = await this.getProject(id)
      const set: Record<string, unknown> = { updated_at: d.toDbDate(new Date()) }
      if (changes.name !== undefined) set.name = changes.name
      if (changes.description !== undefined) set.description = changes.description
      if (changes.enabled !== undefined) set.enabled = d.toDbBool(changes.enabled)
      if (changes.tags !== undefined) set.tags = JSON.stringify(changes.tags)
      await insertUnique(
        idb,
        'project',
        `Duplicate entry found with name ${changes.name ?? current.name} at domain ID ${current.domainId}`,
        (x) => x.updateTable('identity_projects').set(set).where('id', '=', id).execute(),
      )
      return await this.getProject(id)
    },
    async deleteProject(id: string): Promise<void> {
      const result = await k.deleteFrom('identity_projects').where('id', '=', id).executeTakeFirst()
      if (Number(result.numDeletedRows) === 0) throw new IdentityEntityNotFound({ entity: 'project', id })
    },
  }
}

export type ProjectStore = ReturnType<typeof createProjectStore>
