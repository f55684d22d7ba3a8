import { Invalid } from '../common/errors/index.js'

/** An RPC API version `X.Y`. */
export interface RpcVersion {
  readonly major: number
  readonly minor: number
}

export function parseRpcVersion(text: string): RpcVersion {
  const match = /^(\d+)\.(\d+)$/.exec(text)
  if (match === null) throw new Invalid(`invalid RPC version ${JSON.stringify(text)}: expected X.Y`)
  return { major: Number(match[1]), minor: Number(match[2]) }
}

/** Negative, zero or positive as `a` is older than, equal to or newer than `b` (numeric: 1.10 > 1.9). */
export function compareRpcVersions(a: string, b: string): number {
  const x = parseRpcVersion(a)
  const y = parseRpcVersion(b)
  return x.major !== y.major ? x.major - y.major : x.minor - y.minor
}

/** oslo's rule: a server at `served` handles a request for `requested` when majors match and minor <= served. */
export function isCompatible(requested: string, served: string): boolean {
  const r = parseRpcVersion(requested)
  const s = parseRpcVersion(served)
  return r.major === s.major && r.minor <= s.minor
}

/** Every change to one RPC API, oldest first; kept beside each service's client.ts. */
export type RpcVersionHistory = readonly { readonly version: string; readonly change: string }[]
