import { createHash, createPublicKey, generateKeyPair, X509Certificate } from 'node:crypto'
import { promisify } from 'node:util'
import { InvalidKeypair } from '../../common/errors/index.js'

const generate = promisify(generateKeyPair)

/** `aa:bb:…`: hex pairs joined by colons, as Nova prints fingerprints. */
const colonHex = (digest: Buffer): string => [...digest].map((b) => b.toString(16).padStart(2, '0')).join(':')

/** An SSH wire string: uint32 length + bytes. */
function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  return Buffer.concat([length, data])
}

/** An SSH mpint from unsigned big-endian bytes (a leading zero byte when the high bit is set). */
function mpint(bytes: Buffer): Buffer {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const trimmed = bytes.subarray(start)
  return sshString((trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed)
}

/** Reads the SSH wire strings of a key blob; undefined when the blob is truncated or has trailing bytes. */
function readStrings(blob: Buffer): Buffer[] | undefined {
  const parts: Buffer[] = []
  let at = 0
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined
    const length = blob.readUInt32BE(at)
    if (at + 4 + length > blob.length) return undefined
    parts.push(blob.subarray(at + 4, at + 4 + length))
    at += 4 + length
  }
  return parts
}

/** Key types and how many wire strings their blob holds after the type name. */
const SSH_KEY_PARTS: Readonly<Record<string, number>> = {
  'ssh-rsa': 2,
  'ssh-dss': 4,
  'ssh-ed25519': 1,
  'ecdsa-sha2-nistp256': 2,
  'ecdsa-sha2-nistp384': 2,
  'ecdsa-sha2-nistp521': 2,
  'sk-ssh-ed25519@openssh.com': 2,
  'sk-ecdsa-sha2-nistp256@openssh.com': 3,
}

/**
 * The fingerprint of an OpenSSH public key line (`type base64 [comment]`): MD5 of the key blob in colon hex,
 * as Nova's `crypto.generate_fingerprint`. A line that is not a well-formed key → InvalidKeypair.
 */
export function sshFingerprint(publicKey: string): string {
  const fail = (): never => {
    throw new InvalidKeypair({ reason: 'failed to generate fingerprint' })
  }
  const match = /^\s*(\S+)\s+([A-Za-z0-9+/]+={0,2})(\s+.*)?\s*$/s.exec(publicKey)
  if (match === null) return fail()
  const type = match[1]!
  const blob = Buffer.from(match[2]!, 'base64')
  const parts = readStrings(blob)
  const expected = SSH_KEY_PARTS[type]
  if (expected === undefined || parts === undefined || parts.length !== expected + 1) return fail()
  if (parts[0]!.toString('latin1') !== type) return fail()
  if (type === 'ssh-ed25519' && parts[1]!.length !== 32) return fail()
  if (type === 'ssh-rsa' && (parts[2]!.length < 64 || parts[1]!.length === 0)) return fail()
  return colonHex(createHash('md5').update(blob).digest())
}

/** Nova's `generate_x509_fingerprint`: SHA-1 of the certificate's DER in lower-case colon hex. */
export function x509Fingerprint(pem: string): string {
  try {
    const cert = new X509Certificate(pem)
    return cert.fingerprint.toLowerCase()
  } catch (error) {
    throw new InvalidKeypair({
      reason: `failed to generate X509 fingerprint. Error message: ${(error as Error).message}`,
    })
  }
}

export interface GeneratedKeyPair {
  readonly privateKey: string
  readonly publicKey: string
  readonly fingerprint: string
}

/**
 * A new 2048-bit RSA key pair as Nova's `crypto.generate_key_pair` makes it: the private key in PEM
 * (`BEGIN RSA PRIVATE KEY`), the public key as an OpenSSH line ending in `Generated-by-Nova`.
 */
export async function generateSshKeyPair(): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  })
  const jwk = createPublicKey(publicKey).export({ format: 'jwk' }) as { n: string; e: string }
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    mpint(Buffer.from(jwk.e, 'base64url')),
    mpint(Buffer.from(jwk.n, 'base64url')),
  ])
  return {
    privateKey,
    publicKey: `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`,
    fingerprint: colonHex(createHash('md5').update(blob).digest()),
  }
}
