import bcrypt from 'bcryptjs'

/** bcrypt, Keystone's default `password_hash_algorithm`; `rounds` is `[identity] password_hash_rounds`. */
export async function hashPassword(password: string, rounds: number): Promise<string> {
  return await bcrypt.hash(password, rounds)
}

/** Constant-time check of a password against a stored bcrypt hash; false for a missing hash. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  if (hash === undefined) {
    // Spend comparable time so that an unknown user cannot be told from a wrong password by timing.
    await bcrypt.compare(password, '$2b$04$abcdefghijklmnopqrstuu5EzjgtTKcbxZr8HMZJ2rRMaI7NM/1Fu')
    return false
  }
  return await bcrypt.compare(password, hash)
}
