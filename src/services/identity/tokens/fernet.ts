import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const VERSION = 0x80

/** A Fernet key: 32 random bytes, url-safe base64 (the first half signs, the second half encrypts). */
export function generateFernetKey(): string {
  return randomBytes(32).toString('base64url')
}

function split(key: string): { signing: Buffer; encryption: Buffer } {
  const raw = Buffer.from(key, 'base64url')
  if (raw.length !== 32) throw new Error('a Fernet key is 32 bytes of url-safe base64')
  return { signing: raw.subarray(0, 16), encryption: raw.subarray(16) }
}

/**
 * Encrypts and signs `plaintext` per the Fernet spec (version 0x80, 64-bit timestamp, AES-128-CBC, HMAC-SHA256),
 * as url-safe base64 without padding.
 */
export function fernetEncrypt(
  key: string,
  plaintext: Buffer,
  now = new Date(),
  iv = randomBytes(16),
): string {
  const { signing, encryption } = split(key)
  const header = Buffer.alloc(9)
  header[0] = VERSION
  header.writeBigUInt64BE(BigInt(Math.floor(now.getTime() / 1000)), 1)
  const cipher = createCipheriv('aes-128-cbc', encryption, iv)
  const body = Buffer.concat([header, iv, cipher.update(plaintext), cipher.final()])
  const mac = createHmac('sha256', signing).update(body).digest()
  return Buffer.concat([body, mac]).toString('base64url')
}

/**
 * Verifies and decrypts a Fernet token with the first of `keys` whose signature matches. Returns undefined for
 * anything not made by one of these keys (tampered, truncated, foreign) — never throws on bad input.
 */
export function fernetDecrypt(keys: readonly string[], token: string): Buffer | undefined {
  let raw: Buffer
  try {
    raw = Buffer.from(token, 'base64url')
  } catch {
    return undefined
  }
  if (raw.length < 9 + 16 + 16 + 32 || raw[0] !== VERSION) return undefined
  const body = raw.subarray(0, raw.length - 32)
  const mac = raw.subarray(raw.length - 32)
  for (const key of keys) {
    const { signing, encryption } = split(key)
    const expected = createHmac('sha256', signing).update(body).digest()
    if (!timingSafeEqual(expected, mac)) continue
    try {
      const decipher = createDecipheriv('aes-128-cbc', encryption, body.subarray(9, 25))
      return Buffer.concat([decipher.update(body.subarray(25)), decipher.final()])
    } catch {
      return undefined
    }
  }
  return undefined
}
