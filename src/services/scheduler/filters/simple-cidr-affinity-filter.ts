import { isIPv4, isIPv6 } from 'node:net'
import type { HostFilter } from './host-filter.js'
import { schedulerHint } from './utils.js'

interface Address {
  readonly bits: 32 | 128
  readonly value: bigint
}

function parseIPv4(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n)
}

/** An IPv4 or IPv6 address as a number, or undefined. IPv6 may embed an IPv4 tail (::ffff:10.0.0.1). */
export function parseAddress(text: string): Address | undefined {
  const t = text.trim()
  if (isIPv4(t)) return { bits: 32, value: parseIPv4(t) }
  if (!isIPv6(t)) return undefined
  let body = t.split('%')[0]!
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body)
  if (v4 !== null) {
    const n = parseIPv4(v4[1]!)
    body = `${body.slice(0, -v4[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`
  }
  const [head, tail] = body.includes('::') ? body.split('::') : [body, undefined]
  const left = head === '' ? [] : head!.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return { bits: 128, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) }
}

/** A prefix length from `/24`, `/64` or an IPv4 netmask `/255.255.255.0`; undefined when invalid. */
function prefixLength(cidr: string, bits: 32 | 128): number | undefined {
  const text = cidr.startsWith('/') ? cidr.slice(1) : cidr
  if (/^\d+$/.test(text)) {
    const n = Number(text)
    return n <= bits ? n : undefined
  }
  if (bits !== 32 || !isIPv4(text)) return undefined
  const mask = parseIPv4(text)
  const ones = mask.toString(2).replace(/0+$/, '')
  return mask === 0n ? 0 : /^1+$/.test(ones) && mask.toString(2).length === 32 ? ones.length : undefined
}

/** Whether `address` lies in the network of `near` with the prefix `cidr` (netaddr's `IPAddress in IPNetwork`). */
export function inNetwork(address: string, near: string, cidr: string): boolean | undefined {
  const net = parseAddress(near)
  if (net === undefined) return undefined
  const prefix = prefixLength(cidr, net.bits)
  if (prefix === undefined) return undefined
  const host = parseAddress(address)
  if (host === undefined || host.bits !== net.bits) return false
  const shift = BigInt(net.bits - prefix)
  return host.value >> shift === net.value >> shift
}

/**
 * Hints `build_near_host_ip` and `cidr` (default '/24'): only hosts whose IP address is in the network of that
 * address (IPv4 or IPv6).
 */
export const SimpleCIDRAffinityFilter: HostFilter = {
  name: 'SimpleCIDRAffinityFilter',
  runOncePerRequest: true,
  check(host, spec) {
    const near = schedulerHint(spec, 'build_near_host_ip')
    if (near === undefined || near.length === 0) return undefined
    const cidr = schedulerHint(spec, 'cidr', '/24')
    const nearText = typeof near === 'string' ? near : near.join('')
    const cidrText = typeof cidr === 'string' ? cidr : (cidr ?? []).join('')
    const inside = inNetwork(host.hostIp, nearText, cidrText)
    if (inside === undefined) return `cannot read the network ${nearText}${cidrText}`
    return inside ? undefined : `not in network ${nearText}${cidrText}`
  },
}
