import { createHash } from 'node:crypto'
import { IdentityEntityNotFound } from '../../../common/errors/index.js'
import { newId } from './ids.js'
import { insertUnique, type IdentityDb } from './identity-db.js'

export interface AppCredential {
  readonly id: string
  readonly name: string
  readonly userId: string
  readonly projectId: string
  readonly description: string
  readonly expiresAt: Date | undefined
  readonly unrestricted: boolean
  readonly roles: readonly { readonly id: string; readonly name: string }[]
}

export interface Ec2Credential {
  readonly userId: string
  readonly projectId: string
  readonly access: string
  readonly secret: string
}

/** Keystone keys an EC2 credential by the SHA-256 of its access key. */
export function ec2CredentialId(access: string): string {
  return createHash('sha256').update(access).digest('hex')
}

/** Application credentials (secret kept as a bcrypt hash) and EC2 credentials (access/secret pairs). */
export function createCredentialStore(idb: IdentityDb) {
  const { k, d } = idb
  const toAppCred = (r: Record<string, unknown>): AppCredential & { secretHash: string } => ({
    id: String(r.id),
    name: String(r.name),
    userId: String(r.user_id),
    projectId: String(r.project_id),
    description: (r.description as string | null) ?? '',
    expiresAt: d.fromDbDate(r.expires_at),
    unrestricted: d.fromDbBool(r.unrestricted),
    roles: JSON.parse(String(r.roles)) as { id: string; name: string }[],
    secretHash: String(r.secret_hash),
  })
  const toEc2 = (r: Record<string, unknown>): Ec2Credential => {
    const blob = JSON.parse(String(r.blob)) as { access: string; secret: string }
    return {
      userId: String(r.user_id),
      projectId: String(r.project_id),
      access: blob.access,
      secret: blob.secret,
    }
  }

  return {
    async createAppCredential(
      fields: Omit<AppCredential, 'id'> & { secretHash: string },
    ): Promise<AppCredential> {
      const id = newId()
      await insertUnique(
        idb,
        'application credential',
        `Duplicate entry found with name ${fields.name}`,
        (x) =>
          x
            .insertInto('identity_app_credentials')
            .values({
              id,
              name: fields.name,
              user_id: fields.userId,
              project_id: fields.projectId,
              secret_hash: fields.secretHash,
              description: fields.description,
              expires_at: fields.expiresAt === undefined ? null : d.toDbDate(fields.expiresAt),
              unrestricted: d.toDbBool(fields.unrestricted),
              roles: JSON.stringify(fields.roles),
              created_at: d.toDbDate(new Date()),
            })
            .execute(),
      )
      return await this.getAppCredential(id)
    },
    /** With its secret hash, for authentication. */
    async getAppCredential(id: string): Promise<AppCredential & { secretHash: string }> {
      const row = await k
        .selectFrom('identity_app_credentials')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      if (row === undefined) throw new IdentityEntityNotFound({ entity: 'application credential', id })
      return toAppCred(row)
    },
    async findAppCredentialByName(
      userId: string,
      name: string,
    ): Promise<(AppCredential & { secretHash: string }) | undefined> {
      const row = await k
        .selectFrom('identity_app_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .where('name', '=', name)
        .executeTakeFirst()
      return row === undefined ? undefined : toAppCred(row)
    },
    async listAppCredentials(userId: string, name?: string): Promise<AppCredential[]> {
      let q = k
        .selectFrom('identity_app_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('name')
      if (name !== undefined) q = q.where('name', '=', name)
      return (await q.execute()).map(toAppCred)
    },
    async deleteAppCredential(userId: string, id: string): Promise<void> {
      const result = await k
        .deleteFrom('identity_app_credentials')
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .executeTakeFirst()
      if (Number(result.numDeletedRows) === 0)
        throw new IdentityEntityNotFound({ entity: 'application credential', id })
    },

    async createEc2(fields: Ec2Credential): Promise<Ec2Credential> {
      await k
        .insertInto('identity_credentials')
        .values({
          id: ec2CredentialId(fields.access),
          user_id: fields.userId,
          project_id: fields.projectId,
          type: 'ec2',
          blob: JSON.stringify({ access: fields.access, secret: fields.secret }),
          created_at: d.toDbDate(new Date()),
        })
        .execute()
      return fields
    },
    async findEc2(access: string): Promise<Ec2Credential | undefined> {
      const row = await k
        .selectFrom('identity_credentials')
        .selectAll()
        .where('id', '=', ec2CredentialId(access))
        .where('type', '=', 'ec2')
        .executeTakeFirst()
      return row === undefined ? undefined : toEc2(row)
    },
    async listEc2(userId: string): Promise<Ec2Credential[]> {
      return (
        await k
          .selectFrom('identity_credentials')
          .selectAll()
          .where('user_id', '=', userId)
          .where('type', '=', 'ec2')
          .execute()
      ).map(toEc2)
    },
    async deleteEc2(userId: string, access: string): Promise<void> {
      const result = await k
        .deleteFrom('identity_credentials')
        .where('id', '=', ec2CredentialId(access))
        .where('user_id', '=', userId)
        .executeTakeFirst()
      if (Number(result.numDeletedRows) === 0)
        throw new IdentityEntityNotFound({ entity: 'credential', id: access })
    },
  }
}

export type CredentialStore = ReturnType<typeof createCredentialStore>
