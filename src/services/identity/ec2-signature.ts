import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** What an EC2 API endpoint forwards to identity to check a request's signature (Keystone's ec2tokens body). */
export interface Ec2SignedRequest {
  readonly access: string
  readonly signature: string
  readonly host: string
  readonly verb: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  /** SHA-256 (hex) of the request body, for Signature Version 4. */
  readonly body_hash?: string
}

/** AWS's URI encoding: every byte but unreserved characters percent-encoded, upper-case hex. */
function awsEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

function canonicalQuery(params: Readonly<Record<string, string>>, skip: readonly string[]): string {
  return Object.keys(params)
    .filter((k) => !skip.includes(k))
    .sort()
    .map((k) => `${awsEncode(k)}=${awsEncode(params[k] ?? '')}`)
    .join('&')
}

const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest()

/** Signature Version 2 (HmacSHA256 or HmacSHA1 over verb, host, path and the sorted query). */
export function signV2(secret: string, req: Ec2SignedRequest): string {
  const algorithm = req.params.SignatureMethod === 'HmacSHA1' ? 'sha1' : 'sha256'
  const toSign = [
    req.verb.toUpperCase(),
    req.host.toLowerCase(),
    req.path,
    canonicalQuery(req.params, ['Signature']),
  ].join('\n')
  return createHmac(algorithm, secret).update(toSign).digest('base64')
}

/**
 * Signature Version 4 (AWS4-HMAC-SHA256), from the Authorization header (or the X-Amz-* query parameters of a
 * presigned request): canonical request → string to sign → signing key chained over date, region, service.
 * Returns undefined when the request carries no usable V4 credential scope.
 */
export function signV4(secret: string, req: Ec2SignedRequest): string | undefined {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]))
  const auth = headers.authorization ?? ''
  const fromHeader = /^AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=/.exec(auth)
  const credential = fromHeader?.[1] ?? req.params['X-Amz-Credential']
  const signedHeaders = fromHeader?.[2] ?? req.params['X-Amz-SignedHeaders']
  const amzDate = headers['x-amz-date'] ?? req.params['X-Amz-Date']
  if (credential === undefined || signedHeaders === undefined || amzDate === undefined) return undefined
  const [, date, region, service, terminator] = credential.split('/')
  if (date === undefined || region === undefined || service === undefined || terminator !== 'aws4_request')
    return undefined
  const names = signedHeaders.split(';')
  const canonicalHeaders = names
    .map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('')
  const bodyHash = req.body_hash ?? headers['x-amz-content-sha256'] ?? sha256('')
  const canonicalRequest = [
    req.verb.toUpperCase(),
    req.path === '' ? '/' : req.path,
    canonicalQuery(req.params, fromHeader === null ? ['X-Amz-Signature'] : []),
    canonicalHeaders,
    signedHeaders,
    bodyHash,
  ].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request')
  return createHmac('sha256', key).update(toSign).digest('hex')
}

/** True when the request's signature was made with `secret` (V4 when the request is V4-signed, else V2). */
export function verifyEc2Signature(secret: string, req: Ec2SignedRequest): boolean {
  const v4 = signV4(secret, req)
  const expected = v4 ?? signV2(secret, req)
  const a = Buffer.from(expected)
  const b = Buffer.from(req.signature)
  return a.length === b.length && timingSafeEqual(a, b)
}
