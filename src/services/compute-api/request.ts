import type { FastifyRequest } from 'fastify'
import type { Credentials, PolicyEnforcer, Target } from '../../policy/index.js'
import { credentialsOf } from '../identity/client.js'
import { ApiFault, badRequest } from './faults.js'

/** Who is calling, as Nova's RequestContext sees it. */
export interface Caller {
  readonly userId: string
  readonly projectId: string
  readonly credentials: Credentials
  /** `context_is_admin` evaluated at request start, as Nova sets `context.is_admin`. */
  readonly isAdmin: boolean
}

/** Settings every route reads. */
export interface RequestSettings {
  readonly policy: PolicyEnforcer
  /** `[api] max_limit`. */
  readonly maxLimit: number
  /** `[api] compute_link_prefix`. */
  readonly linkPrefix?: string
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every API request once authenticated (noauth2: from `X-Auth-Token: user:project`). */
    computeCaller?: Caller
  }
}

/** Builds the caller from the validated token, or (noauth2) from `user:project` in X-Auth-Token. */
export function callerFrom(request: FastifyRequest, policy: PolicyEnforcer): Caller | undefined {
  let credentials: Credentials
  if (request.token !== undefined) credentials = credentialsOf(request.token)
  else {
    const header = request.headers['x-auth-token']
    if (typeof header !== 'string' || header === '') return undefined
    const [user = header, project = user] = header.split(':')
    const roles = user === 'admin' ? ['admin', 'member', 'reader'] : ['member', 'reader']
    credentials = { user_id: user, project_id: project, roles, is_admin: user === 'admin' }
  }
  return {
    userId: credentials.user_id ?? '',
    projectId: credentials.project_id ?? '',
    credentials,
    isAdmin: policy.authorize('context_is_admin', {}, credentials),
  }
}

export function callerOf(request: FastifyRequest): Caller {
  if (request.computeCaller === undefined)
    throw new ApiFault(401, 'The request you have made requires authentication.')
  return request.computeCaller
}

/**
 * `context.can(rule, target)`: 403 "Policy doesn't allow … to be performed." when refused. The default target is
 * the caller's own project and user, as Nova's.
 */
export function authorize(
  request: FastifyRequest,
  settings: RequestSettings,
  rule: string,
  target?: Target,
): Caller {
  const caller = callerOf(request)
  if (!can(request, settings, rule, target))
    throw new ApiFault(403, `Policy doesn't allow ${rule} to be performed.`)
  return caller
}

/** `context.can(rule, target, fatal=False)`. */
export function can(
  request: FastifyRequest,
  settings: RequestSettings,
  rule: string,
  target?: Target,
): boolean {
  const caller = callerOf(request)
  return settings.policy.authorize(
    rule,
    target ?? { project_id: caller.projectId, user_id: caller.userId },
    caller.credentials,
  )
}

// ---- links -------------------------------------------------------------------------------------------------

/** The part of the URL before the version segment: the link prefix, or scheme://host of the request. */
function hostBase(request: FastifyRequest, settings: RequestSettings): string {
  return (settings.linkPrefix ?? `${request.protocol}://${request.headers.host ?? 'localhost'}`).replace(
    /\/+$/,
    '',
  )
}

/** `/v2.1` or `/v2`: the mount the request came through. */
const mountOf = (request: FastifyRequest): string => (/^\/v2(?=\/|$)/.test(request.url) ? '/v2' : '/v2.1')

/** The project segment links carry: the URL's project id when the request named one (Nova's _get_project_id). */
function projectSegment(request: FastifyRequest): string {
  const project = (request.params as { project_id?: string } | undefined)?.project_id
  return project === undefined ? '' : `/${project}`
}

/** `[{rel: self, href: <endpoint>/v2.1/<project?>/<collection>/<id>}, {rel: bookmark, href: without version}]`. */
export function resourceLinks(
  request: FastifyRequest,
  settings: RequestSettings,
  collection: string,
  id: string,
): { rel: string; href: string }[] {
  let prefix = LINK_PREFIXES.get(request)
  if (prefix === undefined || prefix.settings !== settings) {
    const host = hostBase(request, settings)
    const project = projectSegment(request)
    prefix = { settings, self: `${host}${mountOf(request)}${project}`, base: `${host}${project}` }
    LINK_PREFIXES.set(request, prefix)
  }
  const tail = `/${collection}/${encodeURIComponent(id)}`
  return [
    { rel: 'self', href: `${prefix.self}${tail}` },
    { rel: 'bookmark', href: `${prefix.base}${tail}` },
  ]
}

/** Each request's link prefixes, worked out once (a list builds two or three links per server). */
const LINK_PREFIXES = new WeakMap<FastifyRequest, { settings: RequestSettings; self: string; base: string }>()

// ---- paging ------------------------------------------------------------------------------------------------

/** Query parameters as fastify parsed them (a repeated key gives an array). */
export const queryOf = (request: FastifyRequest): Record<string, string | string[]> =>
  (request.query ?? {}) as Record<string, string | string[]>

/** The first value of a query parameter (webob's `req.params.get` keeps one). */
export function param(request: FastifyRequest, key: string): string | undefined {
  const value = queryOf(request)[key]
  return Array.isArray(value) ? value[0] : value
}

export interface Page {
  readonly limit: number
  readonly marker: string | undefined
}

/** `common.get_limit_and_marker`: limit must be a non-negative integer, capped (and 0 replaced) by max_limit. */
export function pageOf(request: FastifyRequest, settings: RequestSettings): Page {
  const raw = param(request, 'limit')
  let limit = settings.maxLimit
  if (raw !== undefined) {
    if (!/^-?\d+$/.test(raw.trim())) throw badRequest('limit param must be an integer')
    const n = Number(raw)
    if (n < 0) throw badRequest('limit param must be positive')
    limit = Math.min(settings.maxLimit, n === 0 ? settings.maxLimit : n)
  }
  return { limit, marker: param(request, 'marker') }
}

/**
 * Applies a page to items already filtered and sorted: the items after the marker (400 "marker [m] not found"
 * when no item has it), at most `limit` of them.
 */
export function paginate<T>(items: readonly T[], page: Page, idOf: (item: T) => string): T[] {
  let start = 0
  if (page.marker !== undefined) {
    const at = items.findIndex((item) => idOf(item) === page.marker)
    if (at < 0) throw badRequest(`marker [${page.marker}] not found`)
    start = at + 1
  }
  return items.slice(start, start + page.limit)
}

/**
 * `<collection>_links`: a `next` link (the request's query with `marker` = the last id) when the page is full,
 * as Nova's `_get_collection_links`; else undefined.
 */
export function collectionLinks(
  request: FastifyRequest,
  settings: RequestSettings,
  items: readonly unknown[],
  page: Page,
  collection: string,
  lastId: string | undefined,
): { rel: string; href: string }[] | undefined {
  if (page.limit === 0 || items.length !== page.limit || lastId === undefined) return undefined
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(queryOf(request)))
    for (const v of Array.isArray(value) ? value : [value]) if (key !== 'marker') query.append(key, v)
  query.append('marker', lastId)
  const href = `${hostBase(request, settings)}${mountOf(request)}${projectSegment(request)}/${collection}?${query}`
  return [{ rel: 'next', href }]
}
