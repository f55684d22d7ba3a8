import type { Kysely } from 'kysely'
import { KeyPairExists, KeypairNotFound } from '../../../common/errors/index.js'
import type { ApiSchema, Database } from '../../../db/index.js'
import { insertReturningId } from '../../../db/index.js'

export interface KeyPair {
  readonly id: number
  readonly name: string
  readonly userId: string
  readonly fingerprint: string
  readonly publicKey: string
  readonly type: 'ssh' | 'x509'
  readonly createdAt: Date | undefined
  readonly updatedAt: Date | undefined
}

/** The API database's key_pairs table (hard-deleted, as Nova's API database keeps it). */
export class KeyPairStore {
  readonly #db: Database<unknown>
  readonly #k: Kysely<ApiSchema>

  constructor(db: Database<unknown>) {
    this.#db = db
    this.#k = db.kysely as Kysely<ApiSchema>
  }

  /** The user's key pairs by name. */
  async list(userId: string): Promise<KeyPair[]> {
    const rows = await this.#k
      .selectFrom('key_pairs')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('name')
      .execute()
    return rows.map((r) => this.#toKeyPair(r))
  }

  async count(userId: string): Promise<number> {
    const row = await this.#k
      .selectFrom('key_pairs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  async get(userId: string, name: string): Promise<KeyPair> {
    const row = await this.#k
      .selectFrom('key_pairs')
      .selectAll()
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .executeTakeFirst()
    if (row === undefined) throw new KeypairNotFound({ name, userId })
    return this.#toKeyPair(row)
  }

  /** Stores a key pair; KeyPairExists when the user has one by that name. */
  async create(values: Omit<KeyPair, 'id' | 'createdAt' | 'updatedAt'>): Promise<KeyPair> {
    const d = this.#db.differences
    try {
      await insertReturningId(this.#k, d, 'key_pairs', {
        name: values.name,
        user_id: values.userId,
        fingerprint: values.fingerprint,
        public_key: values.publicKey,
        type: values.type,
        created_at: d.toDbDate(new Date()),
      })
    } catch (error) {
      if (d.isUniqueViolation(error)) throw new KeyPairExists({ name: values.name })
      throw error
    }
    return this.get(values.userId, values.name)
  }

  async delete(userId: string, name: string): Promise<void> {
    const result = await this.#k
      .deleteFrom('key_pairs')
      .where('user_id', '=', userId)
      .where('name', '=', name)
      .executeTakeFirst()
    if (Number(result.numDeletedRows) === 0) throw new KeypairNotFound({ name, userId })
  }

  #toKeyPair(row: Record<string, unknown>): KeyPair {
    const d = this.#db.differences
    return {
      id: Number(row.id),
      name: String(row.name),
      userId: String(row.user_id),
      fingerprint: String(row.fingerprint ?? ''),
      publicKey: String(row.public_key ?? ''),
      type: row.type === 'x509' ? 'x509' : 'ssh',
      createdAt: d.fromDbDate(row.created_at),
      updatedAt: d.fromDbDate(row.updated_at),
    }
  }
}
