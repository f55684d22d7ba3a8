import { hostname, networkInterfaces } from 'node:os'

/** The machine's name: Nova's default for `[DEFAULT] host`. */
export function defaultHost(): string {
  return hostname()
}

/** The first non-internal IPv4 address, else 127.0.0.1: Nova's default for `[DEFAULT] my_ip`. */
export function defaultIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return '127.0.0.1'
}
