import { TransportUrlInvalid } from '../common/errors/index.js'

export interface BrokerHost {
  readonly hostname: string
  readonly port: number
  readonly username: string
  readonly password: string
}

export type TransportUrl =
  | { readonly transport: 'memory'; readonly name: string }
  | {
      readonly transport: 'rabbit'
      /** Brokers in failover order. */
      readonly hosts: readonly BrokerHost[]
      readonly vhost: string
      readonly query: Readonly<Record<string, string>>
    }

/**
 * Parses oslo's TransportURL: `memory://[name]` or
 * `rabbit://user:pass@host1:5672,user:pass@host2:5672/vhost?key=value` (several brokers for failover; the vhost
 * is the path, `/` when absent; credentials may be percent-encoded). Anything else is TransportUrlInvalid.
 */
export function parseTransportUrl(url: string): TransportUrl {
  const fail = (reason: string): never => {
    throw new TransportUrlInvalid({ url: redactTransportUrl(url), reason })
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(url.trim())
  if (scheme === null) return fail('expected <transport>://…')
  const kind = scheme[1]!.toLowerCase()
  const rest = scheme[2]!
  if (kind === 'memory' || kind === 'fake') return { transport: 'memory', name: rest.replace(/\/+$/, '') }
  if (kind !== 'rabbit' && kind !== 'amqp')
    return fail(`unsupported transport ${kind} (use memory:// or rabbit://)`)

  const queryAt = rest.indexOf('?')
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt)
  const query: Record<string, string> = {}
  if (queryAt >= 0) for (const [k, v] of new URLSearchParams(rest.slice(queryAt + 1))) query[k] = v
  const slash = beforeQuery.indexOf('/')
  const netloc = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash)
  const path = slash < 0 ? '' : beforeQuery.slice(slash + 1)
  const vhost = path === '' ? '/' : decodeURIComponent(path)
  if (netloc === '') return fail('no broker host')

  const hosts = netloc.split(',').map((entry): BrokerHost => {
    const at = entry.lastIndexOf('@')
    const creds = at < 0 ? '' : entry.slice(0, at)
    const hostPort = at < 0 ? entry : entry.slice(at + 1)
    const colon = creds.indexOf(':')
    const username = decodeURIComponent(colon < 0 ? creds : creds.slice(0, colon)) || 'guest'
    const password =
      decodeURIComponent(colon < 0 ? '' : creds.slice(colon + 1)) || (creds === '' ? 'guest' : '')
    const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostPort)
    if (hp === null) return fail(`bad broker address ${JSON.stringify(hostPort)}`)
    const port = hp[2] === undefined ? 5672 : Number(hp[2])
    if (port < 1 || port > 65535) return fail(`port ${port} out of range`)
    return { hostname: hp[1]!.replace(/^\[|\]$/g, ''), port, username, password }
  })
  return { transport: 'rabbit', hosts, vhost, query }
}

/** The URL with every password replaced by `****`, for logs and errors. */
export function redactTransportUrl(url: string): string {
  return url.replace(/([/,@][^:/@,]*):([^@/,]*)@/g, '$1:****@')
}
