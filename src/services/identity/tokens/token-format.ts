import { fernetDecrypt, fernetEncrypt } from './fernet.js'

/** What a token says, encrypted inside it (nothing of it is readable without the keys). */
export interface TokenPayload {
  readonly userId: string
  readonly methods: readonly string[]
  readonly projectId?: string
  readonly domainId?: string
  readonly system?: boolean
  /** Roles at issue time, so services can authorize without asking identity (revocation events cover changes). */
  readonly roles: readonly { readonly id: string; readonly name: string }[]
  readonly issuedAt: Date
  readonly expiresAt: Date
  /** This token's audit id, then the audit id of the token it was made from (the chain Keystone keeps). */
  readonly auditIds: readonly string[]
  /** Set when the token was made from an application credential (deleting it revokes the token). */
  readonly appCredId?: string
}

interface Wire {
  v: 1
  u: string
  m: string[]
  p?: string
  d?: string
  s?: 1
  r: [string, string][]
  i: number
  e: number
  a: string[]
  ac?: string
}

export function encodeToken(key: string, payload: TokenPayload): string {
  const wire: Wire = {
    v: 1,
    u: payload.userId,
    m: [...payload.methods],
    r: payload.roles.map((r) => [r.id, r.name]),
    i: payload.issuedAt.getTime(),
    e: payload.expiresAt.getTime(),
    a: [...payload.auditIds],
  }
  if (payload.projectId !== undefined) wire.p = payload.projectId
  if (payload.domainId !== undefined) wire.d = payload.domainId
  if (payload.system === true) wire.s = 1
  if (payload.appCredId !== undefined) wire.ac = payload.appCredId
  return fernetEncrypt(key, Buffer.from(JSON.stringify(wire)), payload.issuedAt)
}

/** Decrypts a token made with one of `keys`; undefined for anything else. Expiry is the caller's to check. */
export function decodeToken(keys: readonly string[], token: string): TokenPayload | undefined {
  const plain = fernetDecrypt(keys, token)
  if (plain === undefined) return undefined
  let wire: Wire
  try {
    wire = JSON.parse(plain.toString()) as Wire
  } catch {
    return undefined
  }
  if (wire.v !== 1 || typeof wire.u !== 'string') return undefined
  return {
    userId: wire.u,
    methods: wire.m,
    ...(wire.p === undefined ? {} : { projectId: wire.p }),
    ...(wire.d === undefined ? {} : { domainId: wire.d }),
    ...(wire.s === 1 ? { system: true } : {}),
    roles: wire.r.map(([id, name]) => ({ id, name })),
    issuedAt: new Date(wire.i),
    expiresAt: new Date(wire.e),
    auditIds: wire.a,
    ...(wire.ac === undefined ? {} : { appCredId: wire.ac }),
  }
}
