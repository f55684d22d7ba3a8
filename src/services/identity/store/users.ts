import { sql } from 'kysely'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import { newId } from './ids.js'
import { insertUnique, type IdentityDb } from './identity-db.js'

export interface User {
  readonly id: string
  readonly name: string
  readonly domainId: string
  readonly enabled: boolean
  readonly defaultProjectId: string | undefined
  readonly passwordExpiresAt: Date | undefined
  /** Free-form attributes Keystone keeps (email, description, …). */
  readonly extra: Readonly<Record<string, unknown>>
}

/** A user with what only authentication may see. */
export interface UserCredentials extends User {
  readonly passwordHash: string | undefined
  readonly failedAuthCount: number
  readonly lastFailedAuthAt: Date | undefined
}

export function createUserStore(idb: IdentityDb) {
  const { k, d } = idb
  const toUser = (r: Record<string, unknown>): UserCredentials => ({
    id: String(r.id),
    name: String(r.name),
    domainId: String(r.domain_id),
    enabled: d.fromDbBool(r.enabled),
    defaultProjectId: (r.default_project_id as string | null) ?? undefined,
    passwordExpiresAt: d.fromDbDate(r.password_expires_at),
    extra:
      r.extra === null || r.extra === undefined
        ? {}
        : (JSON.parse(String(r.extra)) as Record<string, unknown>),
    passwordHash: (r.password_hash as string | null) ?? undefined,
    failedAuthCount: Number(r.failed_auth_count ?? 0),
    lastFailedAuthAt: d.fromDbDate(r.last_failed_auth_at),
  })
  const publicView = ({
    passwordHash: _p,
    failedAuthCount: _f,
    lastFailedAuthAt: _l,
    ...user
  }: UserCredentials): User => user

  return {
    async create(fields: {
      name: string
      domainId: string
      enabled?: boolean
      defaultProjectId?: string
      passwordHash?: string
      extra?: Record<string, unknown>
    }): Promise<User> {
      const id = newId()
      await insertUnique(
        idb,
        'user',
        `Duplicate entry found with name ${fields.name} at domain ID ${fields.domainId}`,
        (x) =>
          x
            .insertInto('identity_users')
            .values({
              id,
              name: fields.name,
              domain_id: fields.domainId,
              enabled: d.toDbBool(fields.enabled ?? true),
              default_project_id: fields.defaultProjectId ?? null,
              password_hash: fields.passwordHash ?? null,
              failed_auth_count: 0,
              extra: JSON.stringify(fields.extra ?? {}),
              created_at: d.toDbDate(new Date()),
            })
            .execute(),
      )
      return await this.get(id)
    },
    async get(id: string): Promise<User> {
      return publicView(await this.getCredentials(id))
    },
    async getCredentials(id: string): Promise<UserCredentials> {
      const row = await k.selectFrom('identity_users').selectAll().where('id', '=', id).executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'user', id })
      return toUser(row)
    },
    async findByName(name: string, domainId: string): Promise<UserCredentials | undefined> {
      const row = await k
        .selectFrom('identity_users')
        .selectAll()
        .where('name', '=', name)
        .where('domain_id', '=', domainId)
        .executeTakeFirst()
      return row === undefined ? undefined : toUser(row)
    },
    async list(
      filter: { name?: string; domainId?: string; enabled?: boolean; ids?: readonly string[] } = {},
    ): Promise<User[]> {
      let q = k.selectFrom('identity_users').selectAll().orderBy('name')
      if (filter.name !== undefined) q = q.where('name', '=', filter.name)
      if (filter.domainId !== undefined) q = q.where('domain_id', '=', filter.domainId)
      if (filter.enabled !== undefined) q = q.where('enabled', '=', d.toDbBool(filter.enabled))
      if (filter.ids !== undefined)
        q = filter.ids.length === 0 ? q.where(sql<boolean>`1 = 0`) : q.where('id', 'in', filter.ids)
      return (await q.execute()).map((r) => publicView(toUser(r)))
    },
    async update(
      id: string,
      changes: {
        name?: string
        enabled?: boolean
        defaultProjectId?: string | null
        passwordHash?: string
        extra?: Record<string, unknown>
      },
    ): Promise<User> {
      const current = await this.getCredentials(id)
      const set: Record<string, unknown> = { updated_at: d.toDbDate(new Date()) }
      if (changes.name !== undefined) set.name = changes.name
      if (changes.enabled !== undefined) set.enabled = d.toDbBool(changes.enabled)
      if (changes.defaultProjectId !== undefined) set.default_project_id = changes.defaultProjectId
      if (changes.passwordHash !== undefined) {
        set.password_hash = changes.passwordHash
        set.failed_auth_count = 0
      }
      if (changes.extra !== undefined) set.extra = JSON.stringify({ ...current.extra, ...changes.extra })
      await insertUnique(
        idb,
        'user',
        `Duplicate entry found with name ${changes.name ?? current.name} at domain ID ${current.domainId}`,
        (x) => x.updateTable('identity_users').set(set).where('id', '=', id).execute(),
      )
      return await this.get(id)
    },
    /** Counts a failed password attempt (for lockout); a success resets the count. */
    async recordAuthResult(id: string, ok: boolean): Promise<void> {
      await k
        .updateTable('identity_users')
        .set(
          ok
            ? { failed_auth_count: 0, last_failed_auth_at: null }
            : (eb) => ({
                failed_auth_count: eb('failed_auth_count', '+', 1),
                last_failed_auth_at: d.toDbDate(new Date()),
              }),
        )
        .where('id', '=', id)
        .execute()
    },
    async delete(id: string): Promise<void> {
      const result = await k.deleteFrom('identity_users').where('id', '=', id).executeTakeFirst()
      if (Number(result.numDeletedRows) === 0) throw new IdentityEntityNotFound({ entity: 'user', id })
      await k.deleteFrom('identity_group_members').where('user_id', '=', id).execute()
    },
  }
}

export type UserStore = ReturnType<typeof createUserStore>
