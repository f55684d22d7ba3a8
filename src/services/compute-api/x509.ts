import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto'
import { promisify } from 'node:util'
import type { GeneratedKeyPair } from './keys.js'
import { x509Fingerprint } from './keys.js'

const generate = promisify(generateKeyPair)

// DER (X.690) encoding of the few ASN.1 types a certificate needs.
function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length
  if (n < 0x80) return Buffer.concat([Buffer.from([tag, n]), content])
  const len: number[] = []
  for (let v = n; v > 0; v >>= 8) len.unshift(v & 0xff)
  return Buffer.concat([Buffer.from([tag, 0x80 | len.length, ...len]), content])
}
const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items))
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items))
const integer = (bytes: Buffer): Buffer =>
  tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'))
const printable = (text: string): Buffer => tlv(0x13, Buffer.from(text, 'ascii'))
const NULL = Buffer.from([0x05, 0x00])

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const bytes = [a! * 40 + b!]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** UTCTime (years 1950–2049) as `YYMMDDHHMMSSZ`. */
const utcTime = (date: Date): Buffer =>
  tlv(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'ascii'))

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), NULL)

/** A distinguished name from (attribute OID, value) pairs; the country is a PrintableString as RFC 5280 asks. */
const distinguishedName = (parts: readonly [string, string][]): Buffer =>
  sequence(
    ...parts.map(([type, value]) =>
      set(sequence(oid(type), type === '2.5.4.6' ? printable(value) : utf8(value))),
    ),
  )

const DAY_MS = 86_400_000

/**
 * A new x509 key pair as Nova's `crypto.generate_x509_cert` makes one for `os-keypairs` with type x509: a 2048-bit
 * RSA key and a self-signed certificate for it (subject `/C=US/ST=California/O=OpenStack/OU=NovaDev/CN=…` naming the
 * project, user and time, valid a year). The certificate is the public key; the fingerprint is its SHA-1.
 */
export async function generateX509KeyPair(
  userId: string,
  projectId: string,
  now = new Date(),
): Promise<GeneratedKeyPair> {
  const { privateKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  })
  const key = createPrivateKey(privateKey)
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' })
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  const subject = distinguishedName([
    ['2.5.4.6', 'US'],
    ['2.5.4.8', 'California'],
    ['2.5.4.10', 'OpenStack'],
    ['2.5.4.11', 'NovaDev'],
    ['2.5.4.3', `${projectId.slice(0, 16)}-${userId.slice(0, 16)}-${stamp}`],
  ])
  const serial = randomBytes(8)
  serial[0] = serial[0]! & 0x7f
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    SHA256_WITH_RSA,
    subject,
    sequence(utcTime(now), utcTime(new Date(now.getTime() + 365 * DAY_MS))),
    subject,
    spki,
  )
  const signature = sign('sha256', tbs, key)
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])))
  const pem = new X509Certificate(der).toString()
  return { privateKey, publicKey: pem, fingerprint: x509Fingerprint(pem) }
}
